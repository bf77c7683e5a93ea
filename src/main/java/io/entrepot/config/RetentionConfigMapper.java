package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Maps the {@code retention} section, reporting every invalid or unknown key with its position in the lists. */
final class RetentionConfigMapper {

    private static final Set<String> SECTION_KEYS = Set.of("interval", "dryrun", "rules", "immutabletags");
    private static final Set<String> RULE_KEYS = Set.of("repositories", "keeplatest", "keeptags", "removetagsolderthan",
            "removeuntaggedolderthan");
    private static final Set<String> IMMUTABLE_KEYS = Set.of("repositories", "tags");

    private final ValueReader reader;

    RetentionConfigMapper(ValueReader reader) {
        this.reader = reader;
    }

    RetentionConfig map() {
        JsonNode section = reader.node("retention");
        if (section == null) {
            return RetentionConfig.NONE;
        }
        if (!section.isObject()) {
            reader.problem("retention", "must be a map with interval, dryrun, rules and immutabletags", section);
            return RetentionConfig.NONE;
        }
        unknownKeys(section, "retention", SECTION_KEYS);
        Duration interval = reader.duration("retention.interval", Duration.ZERO);
        boolean dryRun = reader.bool("retention.dryrun", false);

        List<RetentionConfig.Rule> rules = new ArrayList<>();
        forEachItem(section.get("rules"), "retention.rules", (item, path) -> rules.add(rule(item, path)));
        List<RetentionConfig.ImmutableTags> immutable = new ArrayList<>();
        forEachItem(section.get("immutabletags"), "retention.immutabletags", (item, path) -> {
            unknownKeys(item, path, IMMUTABLE_KEYS);
            immutable.add(new RetentionConfig.ImmutableTags(pattern(item, path, "repositories"), patterns(item, path, "tags", true)));
        });
        return new RetentionConfig(interval, dryRun, List.copyOf(rules), List.copyOf(immutable));
    }

    private RetentionConfig.Rule rule(JsonNode item, String path) {
        unknownKeys(item, path, RULE_KEYS);
        String repositories = pattern(item, path, "repositories");
        Integer keepLatest = null;
        JsonNode latest = item.get("keeplatest");
        if (latest != null && !latest.isNull()) {
            if (latest.canConvertToInt() && latest.isIntegralNumber() && latest.intValue() >= 0) {
                keepLatest = latest.intValue();
            } else {
                reader.problem(path + ".keeplatest", "must be a whole number of tags, 0 or more", latest);
            }
        }
        List<String> keepTags = patterns(item, path, "keeptags", false);
        Duration olderThan = duration(item, path, "removetagsolderthan");
        Duration untaggedOlderThan = duration(item, path, "removeuntaggedolderthan");
        var rule = new RetentionConfig.Rule(repositories, keepLatest, keepTags, olderThan, untaggedOlderThan);
        boolean setsAnything = RULE_KEYS.stream().anyMatch(key -> !key.equals("repositories") && item.hasNonNull(key));
        if (!setsAnything && !reader.hasProblemBelow(path)) {
            reader.problem(path, "sets nothing to remove; add keeplatest, keeptags, removetagsolderthan or removeuntaggedolderthan", null);
        }
        return rule;
    }

    private Duration duration(JsonNode item, String path, String key) {
        JsonNode node = item.get(key);
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            Duration value = GoDuration.parse(node.asText());
            if (value.isZero() || value.isNegative() || !node.isTextual()) {
                reader.problem(path + "." + key, "must be a positive duration such as 720h", node);
                return null;
            }
            return value;
        } catch (IllegalArgumentException e) {
            reader.problem(path + "." + key, "invalid duration, expected a number and a unit such as 720h", node);
            return null;
        }
    }

    private String pattern(JsonNode item, String path, String key) {
        JsonNode node = item.get(key);
        if (node == null || !node.isTextual() || node.textValue().isBlank()) {
            reader.problem(path + "." + key, "missing, must be a pattern such as team/* or **", node);
            return "**";
        }
        return node.textValue();
    }

    private List<String> patterns(JsonNode item, String path, String key, boolean required) {
        JsonNode node = item.get(key);
        if (node == null || node.isNull()) {
            if (required) {
                reader.problem(path + "." + key, "missing, must be a list of tag patterns such as [\"v*\"]", null);
            }
            return List.of();
        }
        List<String> result = new ArrayList<>();
        if (node.isTextual()) {
            result.add(node.textValue());
        } else if (node.isArray()) {
            node.forEach(element -> {
                if (element.isTextual() && !element.textValue().isBlank()) {
                    result.add(element.textValue());
                } else {
                    reader.problem(path + "." + key, "must be a list of non-empty tag patterns", node);
                }
            });
        } else {
            reader.problem(path + "." + key, "must be a list of tag patterns", node);
        }
        return List.copyOf(result);
    }

    @FunctionalInterface
    private interface ItemMapper {
        void map(JsonNode item, String path);
    }

    private void forEachItem(JsonNode list, String path, ItemMapper mapper) {
        if (list == null || list.isNull()) {
            return;
        }
        if (!list.isArray()) {
            reader.problem(path, "must be a list", list);
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String itemPath = path + "[" + i + "]";
            if (list.get(i).isObject()) {
                mapper.map(list.get(i), itemPath);
            } else {
                reader.problem(itemPath, "must be a map", list.get(i));
            }
        }
    }

    private void unknownKeys(JsonNode node, String path, Set<String> known) {
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            if (!known.contains(property.getKey())) {
                List<String> close = KeySpelling.closeNames(property.getKey(), known);
                String hint = close.isEmpty() ? "" : "; did you mean " + close.get(0) + "?";
                reader.problem(path + "." + property.getKey(), "unknown key" + hint + "; expected one of " + new java.util.TreeSet<>(known), null);
            }
        }
    }
}
