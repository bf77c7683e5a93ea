package io.entrepot.testing;

import io.entrepot.e2e.ExternalTools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * nginx as a child process, running {@code deploy/nginx/entrepot.conf} moved onto loopback ports:
 * the upstream names become 127.0.0.1 ports, TLS uses a test certificate, and every response
 * carries an {@code X-Upstream} header naming the instance that served it.
 */
public final class NginxProcess implements AutoCloseable {

    private final Process process;
    private final Path directory;
    private final int httpsPort;

    private NginxProcess(Process process, Path directory, int httpsPort) {
        this.process = process;
        this.directory = directory;
        this.httpsPort = httpsPort;
    }

    /**
     * Rewrites the deployment file for loopback: {@code entrepot-N:5000} becomes
     * {@code 127.0.0.1:<upstreamPorts[N-1]>}, port 443 becomes {@code httpsPort}, port 80
     * {@code httpPort}, and the certificates come from {@code certificates}.
     */
    public static String loopbackConfig(String deployed, List<Integer> upstreamPorts, int httpsPort, int httpPort, Path certificates) {
        String config = deployed;
        for (int i = 0; i < upstreamPorts.size(); i++) {
            config = config.replace("entrepot-" + (i + 1) + ":5000", "127.0.0.1:" + upstreamPorts.get(i));
        }
        return config
                .replace("/etc/nginx/certs", certificates.toString())
                .replace("listen 443 ssl", "listen 127.0.0.1:" + httpsPort + " ssl")
                .replace("listen [::]:443 ssl http2;", "")
                .replace("listen 80;", "listen 127.0.0.1:" + httpPort + ";")
                .replace("listen [::]:80;", "");
    }

    /**
     * Starts nginx on the deployment configuration, returning once it accepts TLS connections.
     *
     * @param failTimeout replaces the upstream servers' {@code fail_timeout}, so a test can wait
     *     out the time nginx keeps a failed instance out of rotation
     */
    public static NginxProcess start(Path directory, List<Integer> upstreamPorts, String failTimeout) throws IOException, InterruptedException {
        Path nginx = ExternalTools.require("nginx");
        Files.createDirectories(directory);
        Path certificates = SelfSignedCertificate.create(directory.resolve("certs"));
        int httpsPort = ServerProcess.freePort();
        int httpPort = ServerProcess.freePort();
        String deployed = Files.readString(Path.of("deploy/nginx/entrepot.conf"));
        String config = loopbackConfig(deployed, upstreamPorts, httpsPort, httpPort, certificates)
                .replace("fail_timeout=30s", "fail_timeout=" + failTimeout)
                .replace("proxy_pass http://entrepot;", "proxy_pass http://entrepot;\n        add_header X-Upstream $upstream_addr always;");
        Files.writeString(directory.resolve("entrepot.conf"), config);
        Files.writeString(directory.resolve("nginx.conf"), NginxMainConfig.wrapping(directory, directory.resolve("entrepot.conf")));

        Process process = new ProcessBuilder(List.of(nginx.toString(), "-c", directory.resolve("nginx.conf").toString(),
                "-p", directory + "/", "-g", "daemon off;"))
                .redirectErrorStream(true).redirectOutput(directory.resolve("nginx.out").toFile()).start();
        NginxProcess started = new NginxProcess(process, directory, httpsPort);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!accepts(httpsPort)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                started.close();
                throw new IOException("nginx did not start: " + Files.readString(directory.resolve("nginx.out"), StandardCharsets.UTF_8)
                        + Files.readString(directory.resolve("error.log"), StandardCharsets.UTF_8));
            }
            Thread.sleep(50);
        }
        return started;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int httpsPort() {
        return httpsPort;
    }

    /** Returns the directory holding the certificate that clients must trust. */
    public Path certificates() {
        return directory.resolve("certs");
    }

    /** Returns nginx's error log, where failed upstream attempts are reported. */
    public String errorLog() throws IOException {
        return Files.readString(directory.resolve("error.log"), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
