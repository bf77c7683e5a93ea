package io.entrepot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.testing.ServerProcess;
import io.entrepot.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code SIGHUP} sent to a running {@code entrepot serve} reloads its TLS certificate. */
class TlsReloadTest {

    @TempDir
    Path dir;

    @Test
    void sighup_reloadsCertificateAndKeepsRunning() throws Exception {
        TestCertificates oldCa = TestCertificates.newCa("old CA");
        Path certificate = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        writeServerFiles(oldCa, certificate, key);
        int port = ServerProcess.freePort();
        Path config = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                storage:
                  filesystem: {rootdirectory: %s}
                http:
                  addr: 127.0.0.1:%d
                  tls: {certificate: %s, key: %s}
                """.formatted(dir.resolve("root"), port, certificate, key));

        try (ServerProcess server = ServerProcess.entrepot("serve", config.toString()).port(port).output(dir.resolve("server.log")).start()) {
            URI base = URI.create("https://127.0.0.1:" + port + "/v2/");
            SSLContext trustsOld = TestCertificates.clientContext(oldCa.caCertificate(), null);
            assertThat(awaitStatus(server, trustsOld, base)).isEqualTo(200);

            // A broken key is reported and the running certificate stays.
            Files.writeString(key, "not a key\n");
            server.sendSignal("HUP");
            awaitOutput(server, "TLS reload failed");
            assertThat(status(trustsOld, base)).isEqualTo(200);

            TestCertificates newCa = TestCertificates.newCa("new CA");
            writeServerFiles(newCa, certificate, key);
            server.sendSignal("HUP");
            awaitOutput(server, "TLS certificate reloaded");

            assertThat(status(TestCertificates.clientContext(newCa.caCertificate(), null), base)).isEqualTo(200);
            assertThat(status(trustsOld, base)).as("a client that trusts only the old CA").isEqualTo(-1);
            assertThat(server.isAlive()).isTrue();
        }
    }

    private static void writeServerFiles(TestCertificates ca, Path certificate, Path key) {
        TestCertificates.Issued issued = ca.issueServer(TestCertificates.ecKeys());
        TestCertificates.write(certificate, TestCertificates.pem(issued.certificate()));
        TestCertificates.write(key, TestCertificates.pkcs8Pem(issued.keys().getPrivate()));
    }

    /** Returns the status of {@code GET base}, or -1 when the TLS handshake or connection fails. */
    private static int status(SSLContext context, URI base) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(2)).build();
        try {
            return client.send(HttpRequest.newBuilder(base).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static int awaitStatus(ServerProcess server, SSLContext context, URI base) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int status = -1;
        while (status != 200 && System.nanoTime() < deadline) {
            assertThat(server.isAlive()).as("server running; output:\n%s", server.output()).isTrue();
            status = status(context, base);
            if (status != 200) {
                Thread.sleep(100);
            }
        }
        return status;
    }

    private static void awaitOutput(ServerProcess server, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!server.output().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(server.output()).contains(text);
    }
}
