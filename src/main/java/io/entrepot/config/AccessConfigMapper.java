package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps Entrepot's {@code access} section. Every key under it is checked here, and an unknown key
 * is a problem rather than a warning: a misspelt grant would otherwise leave a project open or
 * closed without a word.
 */
final class AccessConfigMapper {

    private static final Set<String> SECTION_KEYS = Set.of("admins", "default", "projects");
    private static final Set<String> ADMIN_KEYS = Set.of("users", "groups", "robots");
    private static final Set<String> PROJECT_KEYS = Set.of("anonymous", "users", "groups", "robots");

    /** A repository name component in which {@code *} may stand for any run of characters. */
    private static final Pattern PROJECT_PATTERN = Pattern.compile("[a-z0-9*]+(?:(?:\\.|_|__|-+)[a-z0-9*]+)*");

    private static final String ROLES = "reader, developer, maintainer or admin";

    private final ValueReader reader;

    AccessConfigMapper(ValueReader reader) {
        this.reader = reader;
    }

    /** Returns the {@code access} section, checked against the authentication scheme it applies to. */
    AccessConfig map(AuthConfig auth) {
        JsonNode section = reader.node("access");
        if (section == null) {
            return AccessConfig.NONE;
        }
        if (!section.isObject() || section.isEmpty()) {
            reader.problem("access", "must be a map with admins, default and projects", section);
            return AccessConfig.NONE;
        }
        checkScheme(auth);
        unknownKeys(section, "access", SECTION_KEYS);

        AccessConfig.Grantees admins = admins();
        AccessConfig.Role defaultRole = defaultRole();
        List<AccessConfig.Project> projects = projects();
        boolean grantsNothing = admins.equals(AccessConfig.Grantees.NONE) && defaultRole == null && projects.isEmpty();
        if (grantsNothing && !reader.hasProblemBelow("access")) {
            reader.problem("access", "grants nothing; add admins, a default role or projects", section);
        }
        return new AccessConfig(true, admins, defaultRole, projects);
    }

    /**
     * Rejects an {@code access} section that the configured scheme cannot enforce. Without
     * authentication no request carries a user name to grant anything to. With {@code auth.token}
     * the external token server decides every scope, so rules here would be silently bypassed.
     */
    private void checkScheme(AuthConfig auth) {
        if (auth instanceof AuthConfig.None) {
            reader.problem("access", "needs authentication, because without it no client has a name to grant a role to;"
                    + " configure auth.htpasswd or auth.builtin, or remove the access section", null);
        } else if (auth instanceof AuthConfig.Token) {
            reader.problem("access", "cannot be enforced with auth.token, because the external token server decides which"
                    + " scopes each token grants; configure the rules in that token server and remove the access section", null);
        }
    }

    private AccessConfig.Grantees admins() {
        JsonNode admins = reader.node("access.admins");
        if (admins == null) {
            return AccessConfig.Grantees.NONE;
        }
        if (!admins.isObject()) {
            reader.problem("access.admins", "must be a map with users, groups and robots", admins);
            return AccessConfig.Grantees.NONE;
        }
        unknownKeys(admins, "access.admins", ADMIN_KEYS);
        return new AccessConfig.Grantees(Set.copyOf(reader.stringList("access.admins.users")),
                Set.copyOf(reader.stringList("access.admins.groups")), Set.copyOf(reader.stringList("access.admins.robots")));
    }

    private AccessConfig.Role defaultRole() {
        String value = reader.string("access.default", "none");
        if (value.equals("none")) {
            return null;
        }
        AccessConfig.Role role = role(value);
        if (role == null) {
            reader.problem("access.default", "unknown role, must be none, " + ROLES, reader.node("access.default"));
        }
        return role;
    }

    private List<AccessConfig.Project> projects() {
        JsonNode projects = reader.node("access.projects");
        if (projects == null) {
            return List.of();
        }
        if (!projects.isObject()) {
            reader.problem("access.projects", "must be a map from project name or pattern to its grants", projects);
            return List.of();
        }
        List<AccessConfig.Project> mapped = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : projects.properties()) {
            String path = "access.projects." + entry.getKey();
            if (!PROJECT_PATTERN.matcher(entry.getKey()).matches()) {
                reader.problem(path, "invalid project name \"" + entry.getKey() + "\": a project is the first component of"
                        + " a repository name, lowercase letters and digits separated by '.', '_' or '-', with '*' for any run", null);
                continue;
            }
            AccessConfig.Project project = project(entry.getKey(), entry.getValue(), path);
            if (project != null) {
                mapped.add(project);
            }
        }
        return mapped;
    }

    private AccessConfig.Project project(String pattern, JsonNode grants, String path) {
        if (grants == null || grants.isNull() || !grants.isObject() || grants.isEmpty()) {
            reader.problem(path, "empty grant; give anonymous, users, groups or robots", grants);
            return null;
        }
        unknownKeys(grants, path, PROJECT_KEYS);
        // Read from the node rather than by dotted path, because project and user names may contain dots.
        boolean anonymousPull = anonymous(grants.get("anonymous"), path + ".anonymous");
        Map<String, AccessConfig.Role> users = roles(grants.get("users"), path + ".users");
        Map<String, AccessConfig.Role> groups = roles(grants.get("groups"), path + ".groups");
        Map<String, AccessConfig.Role> robots = roles(grants.get("robots"), path + ".robots");
        boolean grantsNothing = !anonymousPull && users.isEmpty() && groups.isEmpty() && robots.isEmpty();
        if (grantsNothing && !reader.hasProblemBelow(path)) {
            reader.problem(path, "grants nothing; give anonymous: pull, or a role to users, groups or robots", null);
        }
        return new AccessConfig.Project(pattern, anonymousPull, users, groups, robots);
    }

    private boolean anonymous(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return false;
        }
        String value = node.isTextual() ? node.textValue() : "";
        return switch (value) {
            case "pull" -> true;
            case "none" -> false;
            default -> {
                reader.problem(path, "must be pull or none; clients without credentials may only ever pull", node);
                yield false;
            }
        };
    }

    /** Reads a map from name to role, such as {@code users: {alice: developer}}. */
    private Map<String, AccessConfig.Role> roles(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            reader.problem(path, "must be a map from name to role (" + ROLES + ")", node);
            return Map.of();
        }
        Map<String, AccessConfig.Role> roles = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> grant : node.properties()) {
            String grantPath = path + "." + grant.getKey();
            JsonNode value = grant.getValue();
            if (grant.getKey().isBlank()) {
                reader.problem(path, "contains an empty name", node);
            } else if (value == null || value.isNull() || (value.isTextual() && value.textValue().isBlank())) {
                reader.problem(grantPath, "empty grant; must be a role: " + ROLES, null);
            } else if (!value.isTextual()) {
                reader.problem(grantPath, "must be a role: " + ROLES, value);
            } else if (role(value.textValue()) == null) {
                reader.problem(grantPath, "unknown role, must be " + ROLES, value);
            } else {
                roles.put(grant.getKey(), role(value.textValue()));
            }
        }
        return roles;
    }

    private static AccessConfig.Role role(String value) {
        for (AccessConfig.Role role : AccessConfig.Role.values()) {
            if (role.configName().equals(value)) {
                return role;
            }
        }
        return null;
    }

    private void unknownKeys(JsonNode node, String path, Set<String> known) {
        node.properties().forEach(entry -> {
            if (!known.contains(entry.getKey())) {
                List<String> close = KeySpelling.closeNames(entry.getKey(), known);
                String hint = close.isEmpty() ? "" : "did you mean " + close.get(0) + "? ";
                reader.problem(path + "." + entry.getKey(), "unknown key, " + hint + "expected one of "
                        + String.join(", ", known.stream().sorted().toList()), null);
            }
        });
    }
}
