package io.entrepot.cli;

import io.entrepot.config.LoadedConfig;
import io.entrepot.maintenance.Retention;
import io.entrepot.registry.Digest;
import io.entrepot.storage.StorageDriver;
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

    @Override
    public Integer call() {
        LoadedConfig loaded = MaintenanceCommands.load(configFile);
        if (loaded == null) {
            return MaintenanceCommands.EXIT_USAGE;
        }
        if (loaded.config().retention().rules().isEmpty()) {
            System.err.println("entrepot: " + configFile + " has no retention.rules; add at least one rule, see docs/gc.md");
            return MaintenanceCommands.EXIT_USAGE;
        }

        Retention.Report report;
        try (StorageDriver driver = MaintenanceCommands.openStorage(loaded)) {
            report = new Retention(MaintenanceCommands.registry(driver), Clock.systemUTC(), loaded.config().retention()).run(dryRun);
        } catch (IOException e) {
            System.err.println("entrepot: retention failed: " + e.getMessage());
            return 1;
        }

        String remove = dryRun ? "would remove" : "removed";
        int tagsRemoved = 0;
        int manifestsRemoved = 0;
        for (Retention.RepositoryReport repository : report.repositories()) {
            System.out.println(repository.name() + " (rule " + repository.rule() + "):");
            for (Retention.TagDecision tag : repository.tags()) {
                System.out.println("  " + (tag.kept() ? "keep" : remove) + " tag " + tag.tag() + ": " + tag.reason());
                tagsRemoved += tag.kept() ? 0 : 1;
            }
            for (Digest manifest : repository.manifestsRemoved()) {
                System.out.println("  " + remove + " untagged manifest " + manifest);
                manifestsRemoved++;
            }
        }
        System.out.printf("total: %s %d tags and %d manifests in %d repositories%n", remove, tagsRemoved, manifestsRemoved,
                report.repositories().size());
        return 0;
    }
}
