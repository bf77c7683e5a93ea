package io.entrepot.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrepot.config.LoadedConfig;
import io.entrepot.maintenance.Retention;
import io.entrepot.registry.Digest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code entrepot retention CONFIG}: applies the {@code retention} rules once. */
@Command(
        name = "retention",
        mixinStandardHelpOptions = true,
        description = {
            "Apply the retention rules of CONFIG: remove the tags no rule keeps and old untagged manifests, and print what is kept and why.",
            "Blobs freed this way are removed by the next garbage-collect.",
            "Exit status: 0 on success, 1 when storage failed, 2 for an invalid CONFIG or one without retention rules."
        })
final class RetentionCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CONFIG", description = "configuration file in registry:2's config.yml format")
    Path configFile;

    @Option(names = {"-d", "--dry-run"}, description = "report what would be removed and change nothing")
    boolean dryRun;

    @Option(names = "--json", description = "print the report as one JSON document instead of text")
    boolean json;

    @Override
    public Integer call() {
        LoadedConfig loaded = MaintenanceCommands.loadWithExistingStorage(configFile);
        if (loaded == null) {
            return MaintenanceCommands.EXIT_USAGE;
        }
        if (loaded.config().retention().rules().isEmpty()) {
            System.err.println("entrepot: " + configFile + " has no retention.rules; add at least one rule, see docs/gc.md");
            return MaintenanceCommands.EXIT_USAGE;
        }

        Retention.Report report;
        try {
            report = MaintenanceCommands.withSharedCache(loaded, registry -> new Retention(registry, Clock.systemUTC(),
                    loaded.config().retention()).run(dryRun));
        } catch (IOException e) {
            System.err.println("entrepot: retention failed: " + e.getMessage());
            return 1;
        }

        System.out.println(json ? toJson(report) : toText(report));
        return 0;
    }

    private static String toText(Retention.Report report) {
        StringBuilder text = new StringBuilder();
        String remove = report.dryRun() ? "would remove" : "removed";
        for (Retention.RepositoryReport repository : report.repositories()) {
            text.append(repository.name()).append(" (rule ").append(repository.rule()).append("):\n");
            for (Retention.TagDecision tag : repository.tags()) {
                text.append("  ").append(tag.kept() ? "keep" : remove).append(" tag ").append(tag.tag()).append(": ")
                        .append(tag.reason()).append('\n');
            }
            for (Digest manifest : repository.manifestsRemoved()) {
                text.append("  ").append(remove).append(" untagged manifest ").append(manifest).append('\n');
            }
        }
        text.append(String.format("total: %s %d tags and %d manifests in %d repositories", remove, tagsRemoved(report),
                manifestsRemoved(report), report.repositories().size()));
        return text.toString();
    }

    static String toJson(Retention.Report report) {
        ObjectNode root = JsonReports.newReport();
        root.put("dryRun", report.dryRun());
        ArrayNode repositories = root.putArray("repositories");
        for (Retention.RepositoryReport repository : report.repositories()) {
            ObjectNode node = repositories.addObject();
            node.put("name", repository.name().toString());
            node.put("rule", repository.rule());
            ArrayNode tags = node.putArray("tags");
            for (Retention.TagDecision tag : repository.tags()) {
                tags.addObject().put("tag", tag.tag().toString()).put("digest", tag.digest().toString())
                        .put("decision", tag.kept() ? "keep" : "remove").put("reason", tag.reason());
            }
            ArrayNode manifests = node.putArray("manifestsRemoved");
            repository.manifestsRemoved().forEach(digest -> manifests.add(digest.toString()));
        }
        ObjectNode total = root.putObject("total");
        total.put("tagsRemoved", tagsRemoved(report));
        total.put("manifestsRemoved", manifestsRemoved(report));
        total.put("repositories", report.repositories().size());
        return JsonReports.render(root);
    }

    private static long tagsRemoved(Retention.Report report) {
        return report.repositories().stream().flatMap(r -> r.tags().stream()).filter(t -> !t.kept()).count();
    }

    private static long manifestsRemoved(Retention.Report report) {
        return report.repositories().stream().mapToLong(r -> r.manifestsRemoved().size()).sum();
    }
}
