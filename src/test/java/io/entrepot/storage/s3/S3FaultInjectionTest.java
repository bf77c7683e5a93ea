package io.entrepot.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.storage.FileWriter;
import io.entrepot.testing.FaultInjectingProxy;
import io.entrepot.testing.S3ProxyServer;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The S3 driver behind a proxy that answers 503 SlowDown to every third request. */
class S3FaultInjectionTest {

    @Test
    void everyOperation_throttledServer_retriedAndCounted() throws Exception {
        S3ProxyServer server = S3ProxyServer.shared();
        String bucket = server.newBucket();
        byte[] content = S3DriverContractTest.randomBytes(12 * 1024 * 1024 + 5, 9);

        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 3);
                S3Driver driver = new S3Driver(S3DriverContractTest.options(proxy.endpoint(), bucket, "root"))) {
            driver.checkAccess();
            try (FileWriter writer = driver.writer("/up/data", false)) {
                writer.write(content);
                writer.commit();
            }
            driver.move("/up/data", "/blobs/data");
            driver.putContent("/links/a", new byte[] {1});
            try (InputStream in = driver.reader("/blobs/data", 0)) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
            assertThat(driver.list("/")).containsExactlyInAnyOrder("/blobs", "/links");
            driver.delete("/blobs");

            assertThat(proxy.faults()).isGreaterThanOrEqualTo(5);
            assertThat(driver.retryCount()).isEqualTo(proxy.faults());
        }
    }
}
