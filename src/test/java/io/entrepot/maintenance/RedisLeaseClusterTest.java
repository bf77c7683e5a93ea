package io.entrepot.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.RedisConfig;
import io.entrepot.testing.RedisCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease in a real three-node Redis Cluster: SET NX PX and the compare scripts on one key. */
@Tag("external")
class RedisLeaseClusterTest {

    @TempDir
    Path directory;

    private RedisCluster cluster;
    private final List<RedisLease> leases = new ArrayList<>();

    @BeforeEach
    void startCluster() throws Exception {
        cluster = RedisCluster.start(directory);
    }

    @AfterEach
    void stopCluster() throws Exception {
        leases.forEach(RedisLease::close);
        cluster.close();
    }

    private RedisLease newLease(String job) {
        RedisConfig config = new RedisConfig(cluster.addrs(), null, null, null, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), new RedisConfig.Pool(0, 0, Duration.ZERO), false);
        RedisLease lease = new RedisLease(config, job);
        leases.add(lease);
        return lease;
    }

    @Test
    void tryAcquire_heldByOther_failsUntilReleased() throws Exception {
        RedisLeaseTest.assertExclusiveUntilReleased(newLease("gc"), newLease("gc"));
    }

    @Test
    void leasesOfSeveralJobs_areIndependent() throws Exception {
        // Job names hash to different slots, so the leases sit on more than one node.
        List<String> jobs = List.of("gc", "retention", "purge", "verify", "job-5", "job-6");
        for (String job : jobs) {
            assertThat(newLease(job).tryAcquire("a", Duration.ofMinutes(1))).as("first holder of %s", job).isTrue();
        }
        for (String job : jobs) {
            RedisLease other = newLease(job);
            assertThat(other.tryAcquire("b", Duration.ofMinutes(1))).as("second holder of %s", job).isFalse();
        }
    }
}
