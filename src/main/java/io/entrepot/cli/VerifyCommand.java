package io.entrepot.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrepot.config.LoadedConfig;
import io.entrepot.maintenance.Verifier;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code entrepot verify CONFIG}: re-hashes every blob and checks every link and manifest reference. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Re-hash every blob, check that every link names a stored blob and that every manifest's references exist.",
            "Prints one line per problem with its storage path. Orphaned blobs are listed but are not damage: garbage-collect removes them.",
            "Exit status: 0 when nothing is corrupt or missing, 1 when something is or storage failed, 2 for an invalid CONFIG or option."
        })
final class VerifyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CONFIG", description = "configuration file in registry:2's config.yml format")
    Path configFile;

    @Option(names = "--quarantine", description = "move corrupt blobs to " + Verifier.QUARANTINE + " so they are never served")
    boolean quarantine;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "4",
            description = "number of blobs hashed at the same time (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--json", description = "print the report as one JSON document instead of text")
    boolean json;

    @Override
    public Integer call() {
        if (parallelism < 1 || parallelism > 256) {
            System.err.println("entrepot: --parallel must be from 1 to 256, got " + parallelism);
            return MaintenanceCommands.EXIT_USAGE;
        }
        LoadedConfig loaded = MaintenanceCommands.loadWithExistingStorage(configFile);
        if (loaded == null) {
            return MaintenanceCommands.EXIT_USAGE;
        }

        Verifier.Result result;
        try {
            if (quarantine) {
                // Moving a blob aside removes it, so its Redis entry must go too.
                result = MaintenanceCommands.withSharedCache(loaded, registry -> new Verifier(registry).verify(parallelism, true));
            } else {
                try (StorageDriver driver = MaintenanceCommands.openStorage(loaded)) {
                    result = new Verifier(MaintenanceCommands.registry(driver)).verify(parallelism, false);
                }
            }
        } catch (IOException e) {
            System.err.println("entrepot: verification failed: " + e.getMessage());
            return 1;
        }

        if (json) {
            System.out.println(toJson(result));
        } else {
            printText(result);
        }
        return result.damaged() ? 1 : 0;
    }

    private static void printText(Verifier.Result result) {
        for (Verifier.Problem problem : result.problems()) {
            System.out.println(kindName(problem.kind()) + " " + problem.path() + ": " + problem.detail());
        }
        for (String path : result.quarantined()) {
            System.out.println("quarantined " + path);
        }
        System.out.printf("checked %d blobs: %d corrupt, %d missing, %d orphaned%n", result.blobsChecked(),
                count(result, Verifier.Kind.CORRUPT), count(result, Verifier.Kind.MISSING), count(result, Verifier.Kind.ORPHANED));
    }

    static String toJson(Verifier.Result result) {
        ObjectNode root = JsonReports.newReport();
        root.put("blobsChecked", result.blobsChecked());
        root.put("damaged", result.damaged());
        ObjectNode counts = root.putObject("counts");
        for (Verifier.Kind kind : Verifier.Kind.values()) {
            counts.put(kindName(kind), count(result, kind));
        }
        ArrayNode problems = root.putArray("problems");
        for (Verifier.Problem problem : result.problems()) {
            problems.addObject().put("kind", kindName(problem.kind())).put("path", problem.path()).put("detail", problem.detail());
        }
        ArrayNode quarantined = root.putArray("quarantined");
        result.quarantined().forEach(quarantined::add);
        return JsonReports.render(root);
    }

    private static String kindName(Verifier.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private static long count(Verifier.Result result, Verifier.Kind kind) {
        return result.problems().stream().filter(p -> p.kind() == kind).count();
    }
}
