package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.config.RegistryConfig;
import io.entrepot.config.TlsConfig;
import io.entrepot.testing.TestCertificates;
import io.entrepot.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serves the API over TLS with certificates generated for each test, and connects as various clients. */
class TlsTest {

    @TempDir
    Path dir;

    private RegistryServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void https_servesBaseEndpointOverHttp2() throws Exception {
        TestCertificates ca = TestCertificates.newCa("test CA");
        start(tls(ca, List.of(), TlsConfig.Version.TLS_1_2));

        HttpResponse<String> response = get(TestCertificates.clientContext(ca.caCertificate(), null), HttpClient.Version.HTTP_2);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(server.baseUri().getScheme()).isEqualTo("https");
    }

    @Test
    void https_servesHttp11WhenClientAsksForIt() throws Exception {
        TestCertificates ca = TestCertificates.newCa("test CA");
        start(tls(ca, List.of(), TlsConfig.Version.TLS_1_2));

        HttpResponse<String> response = get(TestCertificates.clientContext(ca.caCertificate(), null), HttpClient.Version.HTTP_1_1);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void plainHttp_toTlsPortGetsNoHttpResponse() throws Exception {
        TestCertificates ca = TestCertificates.newCa("test CA");
        start(tls(ca, List.of(), TlsConfig.Version.TLS_1_2));

        String reply;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            reply = readQuietly(socket.getInputStream());
        }

        assertThat(reply).doesNotContain("HTTP/1.1 200").doesNotContain("{}");
    }

    @Test
    void mutualTls_acceptsClientCertificateFromClientCa() throws Exception {
        TestCertificates serverCa = TestCertificates.newCa("server CA");
        TestCertificates clientCa = TestCertificates.newCa("client CA");
        start(tls(serverCa, List.of(clientCa), TlsConfig.Version.TLS_1_2));

        SSLContext client = TestCertificates.clientContext(serverCa.caCertificate(), clientCa.issueClient("ci-robot"));

        assertThat(get(client, HttpClient.Version.HTTP_2).statusCode()).isEqualTo(200);
    }

    @Test
    void mutualTls_rejectsClientWithoutCertificate() throws Exception {
        TestCertificates serverCa = TestCertificates.newCa("server CA");
        TestCertificates clientCa = TestCertificates.newCa("client CA");
        start(tls(serverCa, List.of(clientCa), TlsConfig.Version.TLS_1_2));

        SSLContext anonymous = TestCertificates.clientContext(serverCa.caCertificate(), null);

        assertThatThrownBy(() -> get(anonymous, HttpClient.Version.HTTP_1_1)).isInstanceOf(IOException.class);
    }

    @Test
    void mutualTls_rejectsCertificateFromOtherCa() throws Exception {
        TestCertificates serverCa = TestCertificates.newCa("server CA");
        TestCertificates clientCa = TestCertificates.newCa("client CA");
        TestCertificates otherCa = TestCertificates.newCa("other CA");
        start(tls(serverCa, List.of(clientCa), TlsConfig.Version.TLS_1_2));

        SSLContext impostor = TestCertificates.clientContext(serverCa.caCertificate(), otherCa.issueClient("impostor"));

        assertThatThrownBy(() -> get(impostor, HttpClient.Version.HTTP_1_1)).isInstanceOf(IOException.class);
    }

    @Test
    void minimumTls13_rejectsTls12Client() throws Exception {
        TestCertificates ca = TestCertificates.newCa("test CA");
        start(tls(ca, List.of(), TlsConfig.Version.TLS_1_3));
        SSLContext context = TestCertificates.clientContext(ca.caCertificate(), null);

        HttpClient tls12 = HttpClient.newBuilder().sslContext(context)
                .sslParameters(new SSLParameters(null, new String[] {"TLSv1.2"})).build();
        HttpClient tls13 = HttpClient.newBuilder().sslContext(context)
                .sslParameters(new SSLParameters(null, new String[] {"TLSv1.3"})).build();

        assertThatThrownBy(() -> tls12.send(baseRequest(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        assertThat(tls13.send(baseRequest(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void cipherSuites_limitTls12ToConfiguredSuites() throws Exception {
        TestCertificates ca = TestCertificates.newCa("test CA");
        TlsConfig base = tls(ca, List.of(), TlsConfig.Version.TLS_1_2);
        start(new TlsConfig(base.certificate(), base.key(), List.of(), base.minimumVersion(),
                List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")));
        SSLContext context = TestCertificates.clientContext(ca.caCertificate(), null);

        HttpClient other = HttpClient.newBuilder().sslContext(context)
                .sslParameters(new SSLParameters(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, new String[] {"TLSv1.2"})).build();
        HttpClient configured = HttpClient.newBuilder().sslContext(context)
                .sslParameters(new SSLParameters(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"}, new String[] {"TLSv1.2"})).build();

        assertThatThrownBy(() -> other.send(baseRequest(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        assertThat(configured.send(baseRequest(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        // TLS 1.3 suites stay available, as in Go.
        assertThat(get(context, HttpClient.Version.HTTP_1_1).statusCode()).isEqualTo(200);
    }

    @Test
    void reloadTls_servesNewCertificateToNewConnections() throws Exception {
        TestCertificates oldCa = TestCertificates.newCa("old CA");
        TlsConfig tls = tls(oldCa, List.of(), TlsConfig.Version.TLS_1_2);
        start(tls);
        assertThat(get(TestCertificates.clientContext(oldCa.caCertificate(), null), HttpClient.Version.HTTP_1_1).statusCode()).isEqualTo(200);

        TestCertificates newCa = TestCertificates.newCa("new CA");
        TestCertificates.Issued renewed = newCa.issueServer(TestCertificates.ecKeys());
        TestCertificates.write(tls.certificate(), TestCertificates.pem(renewed.certificate()));
        TestCertificates.write(tls.key(), TestCertificates.pkcs8Pem(renewed.keys().getPrivate()));
        assertThat(server.reloadTls()).isTrue();

        assertThat(get(TestCertificates.clientContext(newCa.caCertificate(), null), HttpClient.Version.HTTP_1_1).statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> get(TestCertificates.clientContext(oldCa.caCertificate(), null), HttpClient.Version.HTTP_1_1))
                .isInstanceOf(IOException.class);
    }

    @Test
    void reloadTls_keepsRunningCertificateWhenNewFileIsBroken() throws Exception {
        TestCertificates ca = TestCertificates.newCa("test CA");
        TlsConfig tls = tls(ca, List.of(), TlsConfig.Version.TLS_1_2);
        start(tls);

        TestCertificates.write(tls.key(), "not a key\n");

        assertThatThrownBy(() -> server.reloadTls()).isInstanceOf(IOException.class).hasMessageContaining("no PEM private key");
        assertThat(get(TestCertificates.clientContext(ca.caCertificate(), null), HttpClient.Version.HTTP_1_1).statusCode()).isEqualTo(200);
    }

    private TlsConfig tls(TestCertificates ca, List<TestCertificates> clientCas, TlsConfig.Version minimum) {
        TestCertificates.Issued issued = ca.issueServer(TestCertificates.ecKeys());
        Path certificate = TestCertificates.write(dir.resolve("server.crt"), TestCertificates.pem(issued.certificate()), TestCertificates.pem(ca.caCertificate()));
        Path key = TestCertificates.write(dir.resolve("server.key"), TestCertificates.pkcs8Pem(issued.keys().getPrivate()));
        List<Path> caFiles = new java.util.ArrayList<>();
        for (int i = 0; i < clientCas.size(); i++) {
            caFiles.add(TestCertificates.write(dir.resolve("client-ca-" + i + ".crt"), TestCertificates.pem(clientCas.get(i).caCertificate())));
        }
        return new TlsConfig(certificate, key, caFiles, minimum, List.of());
    }

    private void start(TlsConfig tls) throws Exception {
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(dir.resolve("storage")), false);
        server = RegistryServer.start(TestConfigs.withHttp(base.storage().driver(), false, base.http().withTls(tls)));
    }

    private HttpRequest baseRequest() {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/v2/")).timeout(Duration.ofSeconds(10)).build();
    }

    private HttpResponse<String> get(SSLContext context, HttpClient.Version version) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().sslContext(context).version(version).connectTimeout(Duration.ofSeconds(10)).build();
        return client.send(baseRequest(), HttpResponse.BodyHandlers.ofString());
    }

    private static String readQuietly(InputStream in) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            in.transferTo(buffer);
        } catch (IOException e) {
            // A reset connection is an acceptable answer to plain HTTP on a TLS port.
        }
        return buffer.toString(StandardCharsets.ISO_8859_1);
    }
}
