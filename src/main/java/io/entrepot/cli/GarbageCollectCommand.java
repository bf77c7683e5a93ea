package io.entrepot.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrepot.config.GoDuration;
import io.entrepot.config.LoadedConfig;
import io.entrepot.maintenance.GarbageCollector;
import io.entrepot.maintenance.GcOptions;
import io.entrepot.maintenance.GcProgress;
import io.entrepot.maintenance.GcReport;
import io.entrepot.registry.Digest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code entrepot garbage-collect CONFIG}: removes unreferenced blobs and, on request, untagged manifests. */
@Command(
        name = "garbage-collect",
        mixinStandardHelpOptions = true,
        description = {
            "Delete blobs that no manifest references, and with --delete-untagged the manifests no tag reaches.",
            "Safe while a registry serves the same storage: blobs written or named by a push within the grace period are kept.",
            "Exit status: 0 on success, 1 when storage failed or a manifest could not be read, 2 for an invalid CONFIG or option."
        })
final class GarbageCollectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CONFIG", description = "configuration file in registry:2's config.yml format")
    Path configFile;

    @Option(names = {"-d", "--dry-run"}, description = "report what would be removed and change nothing")
    boolean dryRun;

    @Option(names = {"-m", "--delete-untagged"},
            description = "also remove manifests that no tag points at, except children of a tagged index and referrers of a kept manifest")
    boolean deleteUntagged;

    @Option(names = "--grace", paramLabel = "DURATION", converter = MaintenanceCommands.DurationConverter.class,
            description = "keep blobs and manifests written or pushed less than this long ago, such as 30m or 2h (default: ${DEFAULT-VALUE})",
            defaultValue = "1h")
    Duration grace;

    @Option(names = "--json", description = "print the report as one JSON document instead of text")
    boolean json;

    @Option(names = "--progress",
            description = "show the phase and progress on standard error even when it is not a terminal; by default only a terminal shows it")
    boolean progressForced;

    @Override
    public Integer call() {
        if (grace.isNegative()) {
            System.err.println("entrepot: --grace must not be negative: " + GoDuration.format(grace));
            return MaintenanceCommands.EXIT_USAGE;
        }
        LoadedConfig loaded = MaintenanceCommands.loadWithExistingStorage(configFile);
        if (loaded == null) {
            return MaintenanceCommands.EXIT_USAGE;
        }

        GcReport report;
        boolean showProgress = progressForced || (!json && System.console() != null);
        GcProgress progress = showProgress ? new TerminalProgress(System.err) : GcProgress.NONE;
        try {
            report = MaintenanceCommands.withSharedCache(loaded, registry -> new GarbageCollector(registry, Clock.systemUTC())
                    .collect(new GcOptions(dryRun, deleteUntagged, grace), progress));
        } catch (IOException e) {
            System.err.println("entrepot: garbage collection failed: " + e.getMessage());
            return 1;
        } finally {
            if (progress instanceof TerminalProgress terminal) {
                terminal.finish();
            }
        }

        if (json) {
            System.out.println(toJson(report));
        } else {
            printText(report, System.out);
        }
        return 0;
    }

    static void printText(GcReport report, PrintStream out) {
        String verb = report.dryRun() ? "would remove" : "removed";
        boolean anyShared = false;
        for (GcReport.RepositoryReport repository : report.repositories()) {
            String sharing = repository.sharedBlobs().isEmpty() ? ""
                    : " (" + repository.blobsOnlyHere() + " only here, " + repository.sharedBlobs().size() + " shared with other repositories)";
            out.printf("%s: %s %d manifests, %d blobs%s, %s%n", repository.name(), verb,
                    repository.manifestsRemoved().size(), repository.blobsRemoved().size(), sharing, bytes(repository.bytesFreed()));
            for (Digest manifest : repository.manifestsRemoved()) {
                out.println("  manifest " + manifest);
            }
            for (GcReport.RemovedBlob blob : repository.blobsRemoved()) {
                boolean manifest = repository.manifestBlobs().contains(blob.digest());
                boolean shared = repository.sharedBlobs().contains(blob.digest());
                out.println("  blob " + blob.digest() + " " + bytes(blob.size()) + (manifest ? " manifest" : "")
                        + (shared ? " shared" : ""));
            }
            anyShared |= !repository.sharedBlobs().isEmpty();
        }
        List<GcReport.RemovedBlob> unlinked = report.unlinkedBlobs();
        if (!unlinked.isEmpty()) {
            out.printf("linked in no repository: %s %d blobs, %s%n", verb, unlinked.size(), bytes(sum(unlinked)));
            for (GcReport.RemovedBlob blob : unlinked) {
                out.println("  blob " + blob.digest() + " " + bytes(blob.size()));
            }
        }
        if (anyShared) {
            out.println("note: a shared blob is listed under each repository that linked it, and counted once in the total");
        }
        out.printf("total: %s %d manifests and %d of %d blobs, freeing %s;"
                        + " kept within the grace period: %d untagged manifests and %d blobs; took %s%n",
                verb, report.manifestsRemoved(), report.blobsRemoved().size(), report.blobsScanned(),
                bytes(report.bytesFreed()), report.manifestsKeptByGrace(), report.blobsKeptByGrace(), seconds(report.duration()));
    }

    private static long sum(List<GcReport.RemovedBlob> blobs) {
        return blobs.stream().mapToLong(GcReport.RemovedBlob::size).sum();
    }

    static String toJson(GcReport report) {
        ObjectNode root = JsonReports.newReport();
        root.put("dryRun", report.dryRun());
        ArrayNode repositories = root.putArray("repositories");
        for (GcReport.RepositoryReport repository : report.repositories()) {
            ObjectNode node = repositories.addObject();
            node.put("name", repository.name().toString());
            ArrayNode manifests = node.putArray("manifestsRemoved");
            repository.manifestsRemoved().forEach(digest -> manifests.add(digest.toString()));
            ArrayNode blobs = node.putArray("blobsRemoved");
            for (GcReport.RemovedBlob blob : repository.blobsRemoved()) {
                blobs.addObject().put("digest", blob.digest().toString()).put("size", blob.size())
                        .put("manifest", repository.manifestBlobs().contains(blob.digest()))
                        .put("shared", repository.sharedBlobs().contains(blob.digest()));
            }
            node.put("blobsOnlyHere", repository.blobsOnlyHere());
            node.put("blobsShared", repository.sharedBlobs().size());
            node.put("bytesFreed", repository.bytesFreed());
        }
        addBlobs(root.putArray("unlinkedBlobsRemoved"), report.unlinkedBlobs());
        ObjectNode total = root.putObject("total");
        total.put("manifestsRemoved", report.manifestsRemoved());
        total.put("blobsRemoved", report.blobsRemoved().size());
        total.put("bytesFreed", report.bytesFreed());
        total.put("manifestsScanned", report.manifestsScanned());
        total.put("blobsScanned", report.blobsScanned());
        total.put("manifestsKeptByGrace", report.manifestsKeptByGrace());
        total.put("blobsKeptByGrace", report.blobsKeptByGrace());
        total.put("durationSeconds", report.duration().toMillis() / 1000.0);
        addBlobs(root.putArray("blobsRemoved"), report.blobsRemoved());
        return JsonReports.render(root);
    }

    private static void addBlobs(ArrayNode array, List<GcReport.RemovedBlob> blobs) {
        for (GcReport.RemovedBlob blob : blobs) {
            array.addObject().put("digest", blob.digest().toString()).put("size", blob.size());
        }
    }

    private static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.2f s", duration.toMillis() / 1000.0);
    }

    static String bytes(long size) {
        if (size < 1024) {
            return size + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = size;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** One status line on standard error, rewritten in place at most ten times a second. */
    static final class TerminalProgress implements GcProgress {
        private final PrintStream out;
        private String phase = "";
        private long total;
        private long done;
        private long lastPrinted;

        TerminalProgress(PrintStream out) {
            this.out = out;
        }

        @Override
        public void phase(String name, long total) {
            this.phase = name;
            this.total = total;
            this.done = 0;
            print();
        }

        @Override
        public void advance() {
            done++;
            long now = System.nanoTime();
            if (done == total || now - lastPrinted > 100_000_000L) {
                print();
            }
        }

        private void print() {
            lastPrinted = System.nanoTime();
            String count = total < 0 ? String.valueOf(done) : done + "/" + total;
            out.print("\r\033[K" + phase + " " + count);
            out.flush();
        }

        void finish() {
            out.print("\r\033[K");
            out.flush();
        }
    }
}
