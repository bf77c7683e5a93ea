package io.entrepot.maintenance;

import io.entrepot.registry.Digest;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StorageLayout;
import io.entrepot.registry.Tag;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks storage for damage: re-hashes every blob, checks that every link names a stored blob,
 * and that every manifest's references exist in its repository. Changes nothing unless asked to
 * quarantine corrupt blobs.
 *
 * <p>Quarantine removes blob data as a collection does, so it raises the same {@link SweepFence}
 * first: serving instances stop using their blob descriptor caches before the first move, and
 * drop their in-memory entries when the fence is lowered. The Redis entry of each moved blob is
 * removed through the registry's cache.
 */
public final class Verifier {

    private static final Logger log = LoggerFactory.getLogger(Verifier.class);
    private static final Logger audit = LoggerFactory.getLogger("io.entrepot.audit");

    /** The directory of quarantined blobs, outside {@code blobs/} so that they are never served. */
    public static final String QUARANTINE = StorageLayout.ROOT + "/_entrepot/quarantine";

    private static final int BUFFER = 256 * 1024;

    /** The kind of damage found on one stored item. */
    public enum Kind {
        /** A blob whose bytes do not hash to its digest. */
        CORRUPT,
        /** A link or reference naming a blob or manifest that is not stored. */
        MISSING,
        /** A blob that no repository links; garbage collection removes it, so it is not an error. */
        ORPHANED
    }

    /** One finding, with the storage path it concerns. */
    public record Problem(Kind kind, String path, String detail) {}

    /** All findings, and the corrupt blobs moved to quarantine. */
    public record Result(int blobsChecked, List<Problem> problems, List<String> quarantined) {
        /** Returns whether anything is corrupt or missing; orphans alone are not damage. */
        public boolean damaged() {
            return problems.stream().anyMatch(p -> p.kind() != Kind.ORPHANED);
        }
    }

    private final Registry registry;
    private final StorageDriver driver;
    private final SweepFence fence;

    /** Creates a verifier whose quarantine waits for every serving instance's cache, as a collection does. */
    public Verifier(Registry registry) {
        this(registry, new SweepFence(registry.driver(), Clock.systemUTC()));
    }

    /** Creates a verifier whose quarantine raises {@code fence}. */
    public Verifier(Registry registry, SweepFence fence) {
        this.registry = registry;
        this.driver = registry.driver();
        this.fence = fence;
    }

    /**
     * Runs every check.
     *
     * @param parallelism the number of blobs hashed at once. Reading is the bottleneck, so a few
     *     more than the number of disks or storage connections is enough.
     * @param quarantine move corrupt blobs to {@link #QUARANTINE}
     */
    public Result verify(int parallelism, boolean quarantine) throws IOException {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        }
        List<Problem> problems = Collections.synchronizedList(new ArrayList<>());
        List<Digest> stored = storedBlobs();
        Set<Digest> linked = new HashSet<>();
        for (RepositoryName repository : RepositoryScan.repositories(driver)) {
            checkRepository(repository, linked, problems);
        }
        List<Digest> corrupt = hashBlobs(stored, parallelism, problems);
        for (Digest digest : stored) {
            if (!linked.contains(digest)) {
                problems.add(new Problem(Kind.ORPHANED, StorageLayout.blobData(digest), "no repository links this blob"));
            }
        }
        List<String> quarantined = new ArrayList<>();
        if (quarantine && !corrupt.isEmpty()) {
            fence.raise();
            try {
                for (Digest digest : corrupt) {
                    fence.checkHeld();
                    quarantined.add(quarantine(digest));
                    registry.blobs().forget(digest);
                }
            } finally {
                fence.lower();
            }
        }
        List<Problem> sorted = new ArrayList<>(problems);
        sorted.sort((a, b) -> a.path().compareTo(b.path()));
        return new Result(stored.size(), sorted, quarantined);
    }

    /** Checks the links of one repository and the references of its manifests, collecting the digests it links. */
    private void checkRepository(RepositoryName repository, Set<Digest> linked, List<Problem> problems) throws IOException {
        List<Digest> layers = RepositoryScan.linkedDigests(driver, StorageLayout.repository(repository) + "/_layers");
        List<Digest> revisions = RepositoryScan.linkedDigests(driver, StorageLayout.manifestRevisions(repository));
        linked.addAll(layers);
        linked.addAll(revisions);
        for (Digest layer : layers) {
            requireBlob(layer, StorageLayout.layerLink(repository, layer), problems);
        }
        for (Tag tag : registry.tags().list(repository)) {
            var current = registry.tags().resolve(repository, tag);
            if (current.isPresent() && !revisions.contains(current.get())) {
                problems.add(new Problem(Kind.MISSING, StorageLayout.tagCurrentLink(repository, tag),
                        "tag points at " + current.get() + ", which is not a manifest of " + repository));
            }
        }
        for (Digest manifest : revisions) {
            String link = StorageLayout.manifestRevisionLink(repository, manifest);
            if (!requireBlob(manifest, link, problems)) {
                continue;
            }
            RepositoryScan.References references;
            try {
                references = RepositoryScan.references(registry, repository, manifest);
            } catch (IOException e) {
                problems.add(new Problem(Kind.CORRUPT, StorageLayout.blobData(manifest), e.getMessage()));
                continue;
            }
            checkReferences(repository, manifest, references, layers, revisions, problems);
        }
    }

    private void checkReferences(RepositoryName repository, Digest manifest, RepositoryScan.References references,
            List<Digest> layers, List<Digest> revisions, List<Problem> problems) throws IOException {
        String link = StorageLayout.manifestRevisionLink(repository, manifest);
        for (Digest blob : references.blobs()) {
            if (!layers.contains(blob) || registry.blobs().stat(blob).isEmpty()) {
                problems.add(new Problem(Kind.MISSING, link, "manifest " + manifest + " references blob " + blob
                        + ", which is not stored or not linked in " + repository));
            }
        }
        for (Digest child : references.children()) {
            if (!revisions.contains(child)) {
                problems.add(new Problem(Kind.MISSING, link, "index " + manifest + " lists manifest " + child
                        + ", which is not a manifest of " + repository));
            }
        }
    }

    /** Returns whether the blob is stored; records a MISSING problem at {@code link} when not. */
    private boolean requireBlob(Digest digest, String link, List<Problem> problems) throws IOException {
        if (registry.blobs().stat(digest).isPresent()) {
            return true;
        }
        problems.add(new Problem(Kind.MISSING, link, "links " + digest + ", which is not stored"));
        return false;
    }

    /** Hashes every blob with a bounded pool; returns the corrupt ones. */
    private List<Digest> hashBlobs(List<Digest> stored, int parallelism, List<Problem> problems) throws IOException {
        List<Digest> corrupt = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(parallelism, Thread.ofPlatform().name("entrepot-verify-", 0).factory())) {
            List<Future<?>> tasks = new ArrayList<>();
            for (Digest digest : stored) {
                tasks.add(pool.submit(() -> {
                    Digest actual = hash(digest);
                    if (actual != null && !actual.equals(digest)) {
                        corrupt.add(digest);
                        problems.add(new Problem(Kind.CORRUPT, StorageLayout.blobData(digest), "content hashes to " + actual));
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("blob verification failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while verifying blobs");
        }
        return corrupt;
    }

    /** Returns the digest of the stored bytes, or null when the blob was removed meanwhile. */
    private Digest hash(Digest digest) throws IOException {
        MessageDigest hasher = digest.algorithm().newHasher();
        try (InputStream in = driver.reader(StorageLayout.blobData(digest), 0)) {
            byte[] buffer = new byte[BUFFER];
            int read;
            while ((read = in.read(buffer)) != -1) {
                hasher.update(buffer, 0, read);
            }
        } catch (PathNotFoundException e) {
            return null;
        }
        return Digest.of(digest.algorithm(), hasher.digest());
    }

    /** Moves a corrupt blob's data out of {@code blobs/}; returns the new path. */
    private String quarantine(Digest digest) throws IOException {
        String target = QUARANTINE + "/" + digest.algorithm().id() + "/" + digest.hex() + "/data";
        driver.move(StorageLayout.blobData(digest), target);
        audit.atWarn().addKeyValue("digest", digest).addKeyValue("path", target).addKeyValue("decision", "quarantined")
                .addKeyValue("reason", "corrupt").log("quarantined corrupt blob");
        return target;
    }

    private List<Digest> storedBlobs() throws IOException {
        List<Digest> digests = new ArrayList<>();
        for (Digest.Algorithm algorithm : Digest.Algorithm.values()) {
            for (String prefix : listIfPresent(StorageLayout.BLOBS + "/" + algorithm.id())) {
                for (String directory : listIfPresent(prefix)) {
                    Digest digest = RepositoryScan.parseDigest(algorithm, directory.substring(directory.lastIndexOf('/') + 1)).orElse(null);
                    if (digest != null && registry.blobs().stat(digest).isPresent()) {
                        digests.add(digest);
                    }
                }
            }
        }
        log.atDebug().addKeyValue("blobs", digests.size()).log("blobs listed for verification");
        return digests;
    }

    private List<String> listIfPresent(String directory) throws IOException {
        try {
            return driver.list(directory);
        } catch (PathNotFoundException e) {
            return List.of();
        }
    }
}
