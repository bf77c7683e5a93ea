package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import io.entrepot.auth.AccessPolicy;
import io.entrepot.auth.HtpasswdBackend;
import io.entrepot.auth.LoginThrottle;
import io.entrepot.auth.Robots;
import io.entrepot.auth.SigningKey;
import io.entrepot.auth.TokenServer;
import io.entrepot.config.AuditConfig;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.IdentityBackendConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.testing.MutableClock;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestCertificates;
import io.entrepot.testing.TestConfigs;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** {@code auth.builtin}: the token endpoint's responses, and the registry's checks of the tokens it signs. */
class TokenEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "registry.test";
    private static final String ISSUER = "entrepot-test";
    private static final int MAX_FAILURES = 5;

    @TempDir
    Path dir;

    private Path keyFile;
    private Path htpasswd;
    private Path robotsFile;
    private Path auditFile;
    private String robotSecret;
    private RegistryServer server;
    private RegistryClient client;
    private Runnable detachAppender = () -> { };

    @BeforeEach
    void start() throws Exception {
        keyFile = TestCertificates.write(dir.resolve("token.key"), TestCertificates.traditionalPem(TestCertificates.ecKeys().getPrivate()));
        htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:" + BCrypt.hashpw("alice-pw", BCrypt.gensalt(4)) + "\n"
                + "robot_ci:" + BCrypt.hashpw("user-pw", BCrypt.gensalt(4)) + "\n");
        robotsFile = dir.resolve("robots.json");
        Robots.Created robot = Robots.load(robotsFile).create("ci", "CI pipeline", Instant.now());
        Robots.load(robotsFile).with(robot.robot()).save(robotsFile);
        robotSecret = robot.secret();
        auditFile = dir.resolve("audit.log");

        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(dir.resolve("storage")), true);
        AuthConfig.Builtin builtin = new AuthConfig.Builtin(null, SERVICE, ISSUER, keyFile, Duration.ofMinutes(5), Duration.ofHours(1),
                List.of(new IdentityBackendConfig.Htpasswd(htpasswd), new IdentityBackendConfig.Robots(robotsFile)), MAX_FAILURES,
                Duration.ofMinutes(5));
        server = RegistryServer.start(new RegistryConfig(base.version(), base.log(), base.storage(), base.http(), builtin,
                new AuditConfig(auditFile, false)));
        client = new RegistryClient(server.baseUri());
    }

    @AfterEach
    void stop() throws Exception {
        detachAppender.run();
        if (server != null) {
            server.close();
        }
    }

    private record BadRequest(String method, String query, String authorization, String form, int status, String message) {}

    @Test
    void badRequests_rejectedNamingValue() throws Exception {
        String alice = basic("alice", "alice-pw");
        List<BadRequest> cases = List.of(
                new BadRequest("GET", "scope=repository:team/app:pull", alice, null, 400, "missing service parameter"),
                new BadRequest("GET", "service=other.example&scope=repository:team/app:pull", alice, null, 400, "unknown service other.example"),
                new BadRequest("GET", "service=" + SERVICE + "&scope=repository:Team/App:pull", alice, null, 400,
                        "invalid scope repository:Team/App:pull"),
                new BadRequest("GET", "service=" + SERVICE + "&scope=repository:team/app", alice, null, 400, "invalid scope repository:team/app"),
                // An uppercase first component must be rejected, not taken for a host name with an empty scope.
                new BadRequest("GET", "service=" + SERVICE + "&scope=repository:Team-A/app:pull", alice, null, 400,
                        "invalid repository name \"Team-A/app\""),
                new BadRequest("GET", "service=" + SERVICE + "&scope=repository:team-a//app:pull", alice, null, 400,
                        "invalid repository name \"team-a//app\""),
                new BadRequest("GET", "service=" + SERVICE + "&scope=repository:localhost:5000/team/app:pull", alice, null, 400,
                        "invalid repository name \"localhost:5000/team/app\""),
                new BadRequest("POST", null, null, "grant_type=password&username=alice&password=alice-pw&service=" + SERVICE
                        + "&client_id=test&scope=repository:Team-A/app:pull", 400, "invalid repository name \"Team-A/app\""),
                new BadRequest("GET", "service=" + SERVICE + "&account=bob", alice, null, 400, "account bob does not match the user alice"),
                new BadRequest("GET", "service=" + SERVICE, basic("alice", "wrong"), null, 401, "invalid user name or password"),
                new BadRequest("GET", "service=" + SERVICE, basic("nobody", "alice-pw"), null, 401, "invalid user name or password"),
                new BadRequest("GET", "service=" + SERVICE, "Bearer abc", null, 401, "send Basic credentials"),
                new BadRequest("GET", "service=" + SERVICE, "Basic !!!", null, 401, "not valid base64"),
                new BadRequest("POST", null, null, "grant_type=client_credentials&service=" + SERVICE + "&client_id=test", 400,
                        "unsupported grant_type client_credentials"),
                new BadRequest("POST", null, null, "service=" + SERVICE + "&client_id=test", 400, "missing grant_type"),
                new BadRequest("POST", null, null, "grant_type=password&username=alice&password=alice-pw&service=" + SERVICE, 400,
                        "missing client_id"),
                new BadRequest("POST", null, null, "grant_type=password&username=alice&service=" + SERVICE + "&client_id=test", 400,
                        "needs the username and password"),
                new BadRequest("POST", null, null, "grant_type=refresh_token&refresh_token=garbage&service=" + SERVICE + "&client_id=test", 401,
                        "not a signed JWT"),
                new BadRequest("POST", null, null, "grant_type=refresh_token&service=" + SERVICE + "&client_id=test", 400,
                        "needs the refresh_token parameter"),
                new BadRequest("PUT", "service=" + SERVICE, null, null, 405, "method PUT not allowed"));

        for (BadRequest bad : cases) {
            HttpResponse<byte[]> response = bad.form() == null
                    ? client.send(bad.method(), "token?" + bad.query(), null, headers(bad.authorization()))
                    : postForm(bad.form());

            assertThat(response.statusCode()).as(bad.toString()).isEqualTo(bad.status());
            JsonNode body = JSON.readTree(response.body());
            if (bad.message().startsWith("invalid scope") || bad.message().startsWith("invalid repository name")) {
                assertThat(body.path("error").asText()).as(bad.toString()).isEqualTo("invalid_request");
            }
            assertThat(body.path("error_description").asText()).as(bad.toString()).contains(bad.message());
            assertThat(body.path("details").asText()).as(bad.toString()).contains(bad.message());
            assertThat(body.has("token")).as(bad.toString()).isFalse();
        }
        HttpResponse<byte[]> wrongPassword = client.get("token?service=" + SERVICE, "Authorization", basic("alice", "wrong"));
        assertThat(wrongPassword.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(value -> assertThat(value).startsWith("Basic realm="));
        HttpResponse<byte[]> form = client.send("POST", "token", "grant_type=password".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "text/plain");
        assertThat(form.statusCode()).isEqualTo(400);
        assertThat(new String(form.body(), StandardCharsets.UTF_8)).contains("application/x-www-form-urlencoded");
    }

    @Test
    void registryChallenge_namesTokenEndpointOfRequest() {
        HttpResponse<byte[]> response = client.get("v2/team/app/tags/list");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"http://127.0.0.1:" + server.port()
                + "/token\",service=\"" + SERVICE + "\",scope=\"repository:team/app:pull\"");
    }

    @Test
    void getWithCredentials_tokenPushesAndPulls() throws Exception {
        HttpResponse<byte[]> response = client.get("token?service=" + SERVICE + "&scope=repository:team/app:pull,push",
                "Authorization", basic("alice", "alice-pw"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("access_token").asText()).isEqualTo(body.path("token").asText());
        assertThat(body.path("expires_in").asLong()).isEqualTo(300);
        assertThat(Instant.parse(body.path("issued_at").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(body.has("refresh_token")).isFalse();
        String token = body.path("token").asText();
        var claims = SignedJWT.parse(token).getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo("alice");
        assertThat(claims.getAudience()).containsExactly(SERVICE);
        assertThat(claims.getClaim("kind")).isEqualTo("user");

        byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> push = client.send("POST", "v2/team/app/blobs/uploads/?digest=" + RegistryClient.sha256(layer), layer,
                "Authorization", "Bearer " + token, "Content-Type", "application/octet-stream");
        assertThat(push.statusCode()).isEqualTo(201);
        assertThat(client.head("v2/team/app/blobs/" + RegistryClient.sha256(layer), "Authorization", "Bearer " + token).statusCode())
                .isEqualTo(200);
        assertThat(client.head("v2/other/app/blobs/" + RegistryClient.sha256(layer), "Authorization", "Bearer " + token).statusCode())
                .isEqualTo(401);
    }

    @Test
    void anonymous_getsPolicyGrantsOnly() throws Exception {
        HttpResponse<byte[]> response = client.get("token?service=" + SERVICE + "&scope=repository:team/app:pull");

        assertThat(response.statusCode()).isEqualTo(200);
        String token = JSON.readTree(response.body()).path("token").asText();
        var claims = SignedJWT.parse(token).getJWTClaimsSet();
        assertThat(claims.getClaim("kind")).isEqualTo("anonymous");
        assertThat((List<?>) claims.getClaim("access")).isEmpty();
        assertThat(client.get("v2/team/app/tags/list", "Authorization", "Bearer " + token).statusCode()).isEqualTo(401);
        assertThat(Files.readString(auditFile)).doesNotContain("\"action\":\"login\"");
    }

    @Test
    void robotLogin_needsRobotSecret() throws Exception {
        HttpResponse<byte[]> robot = client.get("token?service=" + SERVICE + "&scope=repository:team/app:pull",
                "Authorization", basic("robot_ci", robotSecret));
        HttpResponse<byte[]> impostor = client.get("token?service=" + SERVICE, "Authorization", basic("robot_ci", "user-pw"));

        assertThat(robot.statusCode()).isEqualTo(200);
        assertThat(SignedJWT.parse(JSON.readTree(robot.body()).path("token").asText()).getJWTClaimsSet().getClaim("kind")).isEqualTo("robot");
        assertThat(impostor.statusCode()).isEqualTo(401);
    }

    @Test
    void refreshToken_issuesAccessTokens() throws Exception {
        HttpResponse<byte[]> login = postForm("grant_type=password&username=alice&password=alice-pw&service=" + SERVICE
                + "&client_id=test-client&access_type=offline&scope=" + encode("repository:team/app:pull"));
        assertThat(login.statusCode()).isEqualTo(200);
        JsonNode loginBody = JSON.readTree(login.body());
        String refreshToken = loginBody.path("refresh_token").asText();
        String accessToken = loginBody.path("access_token").asText();
        assertThat(refreshToken).isNotEmpty();
        assertThat(loginBody.path("scope").asText()).isEqualTo("repository:team/app:pull");

        HttpResponse<byte[]> refreshed = postForm("grant_type=refresh_token&refresh_token=" + refreshToken + "&service=" + SERVICE
                + "&client_id=test-client&scope=" + encode("repository:team/app:pull"));
        assertThat(refreshed.statusCode()).isEqualTo(200);
        String newToken = JSON.readTree(refreshed.body()).path("access_token").asText();
        assertThat(client.get("v2/team/app/tags/list", "Authorization", "Bearer " + newToken).statusCode()).isIn(200, 404);

        // A refresh token is not an access token, and an access token is not a refresh token.
        HttpResponse<byte[]> refreshAsAccess = client.get("v2/", "Authorization", "Bearer " + refreshToken);
        HttpResponse<byte[]> accessAsRefresh = postForm("grant_type=refresh_token&refresh_token=" + accessToken + "&service=" + SERVICE
                + "&client_id=test-client");
        HttpResponse<byte[]> otherClient = postForm("grant_type=refresh_token&refresh_token=" + refreshToken + "&service=" + SERVICE
                + "&client_id=someone-else");
        assertThat(refreshAsAccess.statusCode()).isEqualTo(401);
        assertThat(new String(refreshAsAccess.body(), StandardCharsets.UTF_8)).contains("not meant for service " + SERVICE);
        assertThat(accessAsRefresh.statusCode()).isEqualTo(401);
        assertThat(new String(accessAsRefresh.body(), StandardCharsets.UTF_8)).contains("not a refresh token");
        // A refresh token is not bound to its client, because the containers/image tools share docker's auth file.
        assertThat(otherClient.statusCode()).isEqualTo(200);

        // Removing the user revokes the refresh token at once.
        Files.writeString(htpasswd, "carol:" + BCrypt.hashpw("carol-pw", BCrypt.gensalt(4)) + "\n");
        Files.setLastModifiedTime(htpasswd, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(5)));
        HttpResponse<byte[]> removed = postForm("grant_type=refresh_token&refresh_token=" + refreshToken + "&service=" + SERVICE
                + "&client_id=test-client");
        assertThat(removed.statusCode()).isEqualTo(401);
        assertThat(new String(removed.body(), StandardCharsets.UTF_8)).contains("account alice of the refresh token no longer exists");
    }

    @Test
    void getOfflineToken_returnsRefreshToken() throws Exception {
        HttpResponse<byte[]> response = client.get("token?service=" + SERVICE + "&offline_token=true&client_id=docker",
                "Authorization", basic("alice", "alice-pw"));

        assertThat(response.statusCode()).isEqualTo(200);
        String refreshToken = JSON.readTree(response.body()).path("refresh_token").asText();
        assertThat(SignedJWT.parse(refreshToken).getJWTClaimsSet().getAudience()).containsExactly(SERVICE + "#refresh");
    }

    @Test
    void invalidTokens_areRejected() throws Exception {
        SigningKey key = SigningKey.load(keyFile);
        MutableClock past = new MutableClock(Instant.now().minus(Duration.ofMinutes(10)));
        String expired = issue(key, SERVICE, past);
        String otherService = issue(key, "other.example", new MutableClock(Instant.now()));
        Path otherKeyFile = TestCertificates.write(dir.resolve("other.key"), TestCertificates.pkcs8Pem(TestCertificates.ecKeys().getPrivate()));
        String otherKey = issue(SigningKey.load(otherKeyFile), SERVICE, new MutableClock(Instant.now()));
        String valid = issue(key, SERVICE, new MutableClock(Instant.now()));

        assertThat(pullStatus(valid)).isIn(200, 404);
        assertRejected(expired, "token expired at");
        assertRejected(otherService, "token is not meant for service " + SERVICE);
        assertRejected(otherKey, "token signed by an untrusted key");
    }

    @Test
    void failedLogins_areThrottledAndAudited() throws Exception {
        for (int i = 0; i < MAX_FAILURES; i++) {
            assertThat(client.get("token?service=" + SERVICE, "Authorization", basic("alice", "guess-" + i)).statusCode()).isEqualTo(401);
        }
        HttpResponse<byte[]> blocked = client.get("token?service=" + SERVICE, "Authorization", basic("alice", "alice-pw"));

        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(new String(blocked.body(), StandardCharsets.UTF_8)).contains("too many failed logins");
        List<JsonNode> lines = auditLines();
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("auth.failure")).hasSize(MAX_FAILURES)
                .allSatisfy(line -> {
                    assertThat(line.path("user").asText()).isEqualTo("alice");
                    assertThat(line.path("client_address").asText()).isEqualTo("127.0.0.1");
                    assertThat(line.path("status").asInt()).isEqualTo(401);
                });
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("auth.throttled")).singleElement()
                .satisfies(line -> assertThat(line.path("status").asInt()).isEqualTo(429));
        assertThat(Files.readString(auditFile)).doesNotContain("guess-").doesNotContain("alice-pw");
    }

    @Test
    void successfulLogin_isAuditedWithoutSecrets() throws Exception {
        HttpResponse<byte[]> response = client.get("token?service=" + SERVICE + "&scope=repository:team/app:pull",
                "Authorization", basic("robot_ci", robotSecret));
        String token = JSON.readTree(response.body()).path("token").asText();

        assertThat(auditLines()).filteredOn(line -> line.path("action").asText().equals("login")).singleElement().satisfies(line -> {
            assertThat(line.path("user").asText()).isEqualTo("robot_ci");
            assertThat(line.path("client_address").asText()).isEqualTo("127.0.0.1");
            assertThat(line.path("result").asText()).isEqualTo("success");
            assertThat(line.path("request_id").asText()).isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
        });
        assertThat(Files.readString(auditFile)).doesNotContain(robotSecret).doesNotContain(token);
    }

    @Test
    void tokenRequests_loggedAndCounted() throws Exception {
        ListAppender<ILoggingEvent> accessLines = captureAccessLog();
        String queryPassword = "query-secret-pw";
        String queryRefresh = "query-secret-rt";
        HttpResponse<byte[]> get = client.get("token?service=" + SERVICE + "&scope=repository:team/app:pull&password=" + queryPassword
                + "&refresh_token=" + queryRefresh + "&" + queryPassword, "Authorization", basic("alice", "alice-pw"));
        HttpResponse<byte[]> password = postForm("grant_type=password&username=alice&password=alice-pw&service=" + SERVICE
                + "&client_id=test&access_type=offline");
        String refreshToken = JSON.readTree(password.body()).path("refresh_token").asText();
        HttpResponse<byte[]> refresh = postForm("grant_type=refresh_token&refresh_token=" + refreshToken + "&service=" + SERVICE
                + "&client_id=test");
        HttpResponse<byte[]> wrong = client.get("token?service=" + SERVICE, "Authorization", basic("alice", "wrong-pw"));
        assertThat(List.of(get.statusCode(), password.statusCode(), refresh.statusCode(), wrong.statusCode()))
                .containsExactly(200, 200, 200, 401);
        List<String> secrets = List.of(queryPassword, queryRefresh, "alice-pw", "wrong-pw", refreshToken,
                JSON.readTree(get.body()).path("token").asText(), JSON.readTree(refresh.body()).path("token").asText(),
                basic("alice", "alice-pw").substring(6));
        io.entrepot.metrics.Metrics registryMetrics = server.metrics();
        // Closing drains the requests, so every access line and metric has been recorded.
        server.close();
        server = null;

        List<Map<String, String>> lines = accessLines.list.stream().map(TokenEndpointTest::fields).toList();
        assertThat(lines).extracting(line -> line.get("path")).containsExactly(
                "/token?service=" + SERVICE + "&scope=repository:team/app:pull&password=*****&refresh_token=*****&*****",
                "/token", "/token", "/token?service=" + SERVICE);
        assertThat(lines).extracting(line -> line.get("status")).containsExactly("200", "200", "200", "401");
        assertThat(lines).extracting(line -> line.get("user")).containsExactly("alice", "alice", "alice", "");
        assertThat(lines).allSatisfy(line -> assertThat(line.get("request.id")).isNotBlank());
        for (String secret : secrets) {
            assertThat(lines.toString()).as("access lines contain a secret").doesNotContain(secret);
        }

        String metrics = scrape(registryMetrics);
        assertThat(metrics).contains("registry_http_requests_total{code=\"200\",handler=\"token\",method=\"GET\"} 1");
        assertThat(metrics).contains("registry_http_requests_total{code=\"200\",handler=\"token\",method=\"POST\"} 2");
        assertThat(metrics).contains("registry_http_requests_total{code=\"401\",handler=\"token\",method=\"GET\"} 1");
        assertThat(metrics).contains("registry_http_request_duration_seconds_count{handler=\"token\",method=\"POST\"} 2");
        assertThat(metrics).contains("registry_http_in_flight_requests{handler=\"token\"} 0");
        assertThat(metrics).doesNotContain("handler=\"notfound\"");
        assertThat(metrics).containsPattern("registry_http_request_size_bytes_sum\\{handler=\"token\"} [1-9]");
    }

    /** Attaches a list appender to the access logger until the test ends. */
    private ListAppender<ILoggingEvent> captureAccessLog() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.entrepot.access");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        detachAppender = () -> logger.detachAppender(appender);
        return appender;
    }

    /** Returns the key-value pairs of an access line, and the request id of its MDC. */
    private static Map<String, String> fields(ILoggingEvent event) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        event.getKeyValuePairs().forEach(pair -> fields.put(pair.key, String.valueOf(pair.value)));
        fields.put("request.id", event.getMDCPropertyMap().get("request.id"));
        fields.put("message", event.getFormattedMessage());
        return fields;
    }

    private static String scrape(io.entrepot.metrics.Metrics metrics) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private String issue(SigningKey key, String service, MutableClock clock) {
        TokenServer tokens = new TokenServer(new TokenServer.Settings(service, ISSUER, Duration.ofMinutes(5), Duration.ZERO), key,
                List.of(uncheckedHtpasswd()), AccessPolicy.AUTHENTICATED_ALL, new LoginThrottle(0, Duration.ofMinutes(1), clock), clock);
        return tokens.issue(io.entrepot.auth.Principal.user("alice"), List.of(io.entrepot.auth.Access.pull("team/app")), false, null).token();
    }

    private HtpasswdBackend uncheckedHtpasswd() {
        try {
            return new HtpasswdBackend(htpasswd);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private int pullStatus(String token) {
        return client.get("v2/team/app/tags/list", "Authorization", "Bearer " + token).statusCode();
    }

    private void assertRejected(String token, String message) {
        HttpResponse<byte[]> response = client.get("v2/team/app/tags/list", "Authorization", "Bearer " + token);
        assertThat(response.statusCode()).as(message).isEqualTo(401);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).as(message).contains(message);
    }

    private HttpResponse<byte[]> postForm(String form) {
        return client.send("POST", "token", form.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/x-www-form-urlencoded");
    }

    private List<JsonNode> auditLines() throws Exception {
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(auditFile)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static String[] headers(String authorization) {
        return authorization == null ? new String[0] : new String[] {"Authorization", authorization};
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

}
