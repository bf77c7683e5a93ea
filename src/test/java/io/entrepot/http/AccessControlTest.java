package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.auth.Access;
import io.entrepot.config.AccessConfig;
import io.entrepot.config.AccessConfig.Role;
import io.entrepot.config.AuditConfig;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import io.entrepot.testing.TestManifests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * {@code auth.htpasswd} with an {@code access} section, over HTTP: each denied request gets
 * the right status and error code, leaves storage as it was and is audited.
 */
class AccessControlTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse";
    private static final List<String> USERS = List.of("root", "rita", "dave", "mia", "bob", "nobody");
    private static final String[] METHODS = {"GET", "HEAD", "PUT", "POST", "PATCH", "DELETE"};

    @TempDir
    Path dir;

    private RegistryServer server;
    private RegistryClient client;
    private Path storage;
    private Path auditFile;
    private byte[] layer;
    private String layerDigest;
    private String manifestDigest;

    @BeforeEach
    void start() throws Exception {
        StringBuilder htpasswd = new StringBuilder();
        String hash = BCrypt.hashpw(PASSWORD, BCrypt.gensalt(4)).replace("$2a$", "$2y$");
        for (String user : USERS) {
            htpasswd.append(user).append(':').append(hash).append('\n');
        }
        Path file = Files.writeString(dir.resolve("htpasswd"), htpasswd);
        storage = dir.resolve("storage");
        auditFile = dir.resolve("audit.log");
        AccessConfig access = new AccessConfig(true, new AccessConfig.Grantees(Set.of("root"), Set.of(), Set.of()), null, List.of(
                new AccessConfig.Project("team-a", false, Map.of("rita", Role.READER, "dave", Role.DEVELOPER, "mia", Role.MAINTAINER),
                        Map.of(), Map.of()),
                new AccessConfig.Project("team-b", false, Map.of("bob", Role.DEVELOPER), Map.of(), Map.of()),
                new AccessConfig.Project("pub", true, Map.of("dave", Role.DEVELOPER), Map.of(), Map.of())));
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(storage), true);
        RegistryConfig config = new RegistryConfig(base.version(), base.log(), base.storage(), base.http(),
                new AuthConfig.Htpasswd("Entrepot", file), new AuditConfig(auditFile, false)).withAccess(
                        new AuthConfig.Htpasswd("Entrepot", file), access);
        server = RegistryServer.start(config);
        client = new RegistryClient(server.baseUri());

        layer = "layer bytes".getBytes(StandardCharsets.UTF_8);
        layerDigest = RegistryClient.sha256(layer);
        for (String repository : List.of("team-a/app", "team-b/app", "pub/base")) {
            manifestDigest = pushImage("root", repository, "v1");
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** A request that must be rejected. */
    private record Attack(String name, String user, String method, String path, byte[] body, int status, String code) {}

    @Test
    void attacks_rejectedAndAudited() throws Exception {
        byte[] other = "other layer".getBytes(StandardCharsets.UTF_8);
        String otherDigest = RegistryClient.sha256(other);
        byte[] manifest = TestManifests.image(TestManifests.Blob.of(layer), List.of(TestManifests.Blob.of(layer)), null);
        List<Attack> attacks = List.of(
                new Attack("reader pushes a blob", "rita", "POST", "v2/team-a/app/blobs/uploads/?digest=" + otherDigest, other, 403, "DENIED"),
                new Attack("reader starts an upload", "rita", "POST", "v2/team-a/app/blobs/uploads/", null, 403, "DENIED"),
                new Attack("reader pushes a manifest", "rita", "PUT", "v2/team-a/app/manifests/v2", manifest, 403, "DENIED"),
                new Attack("developer deletes a manifest", "dave", "DELETE", "v2/team-a/app/manifests/" + manifestDigest, null, 403, "DENIED"),
                new Attack("developer deletes a blob", "dave", "DELETE", "v2/team-a/app/blobs/" + layerDigest, null, 403, "DENIED"),
                new Attack("user of team-b pulls from team-a", "bob", "GET", "v2/team-a/app/manifests/v1", null, 403, "DENIED"),
                new Attack("user of team-b reads a blob of team-a", "bob", "GET", "v2/team-a/app/blobs/" + layerDigest, null, 403, "DENIED"),
                new Attack("user of team-b lists tags of team-a", "bob", "GET", "v2/team-a/app/tags/list", null, 403, "DENIED"),
                new Attack("user of team-b pushes to team-a", "bob", "POST", "v2/team-a/app/blobs/uploads/?digest=" + otherDigest, other, 403, "DENIED"),
                new Attack("user without grants creates a project", "nobody", "POST", "v2/newproject/app/blobs/uploads/?digest=" + otherDigest,
                        other, 403, "DENIED"),
                new Attack("user without grants reads an unknown repository", "nobody", "GET", "v2/team-a/missing/tags/list", null, 403,
                        "DENIED"),
                new Attack("anonymous pull from a closed project", null, "GET", "v2/team-a/app/manifests/v1", null, 401, "UNAUTHORIZED"),
                new Attack("anonymous push to an open project", null, "POST", "v2/pub/base/blobs/uploads/?digest=" + otherDigest, other, 401,
                        "UNAUTHORIZED"),
                new Attack("anonymous tag in an open project", null, "PUT", "v2/pub/base/manifests/v2", manifest, 401, "UNAUTHORIZED"),
                new Attack("anonymous delete in an open project", null, "DELETE", "v2/pub/base/manifests/" + manifestDigest, null, 401,
                        "UNAUTHORIZED"),
                new Attack("empty Basic credentials push to an open project", "", "POST",
                        "v2/pub/base/blobs/uploads/?digest=" + otherDigest, other, 401, "UNAUTHORIZED"));

        for (Attack attack : attacks) {
            Map<String, String> before = snapshot(true);

            HttpResponse<byte[]> response = send(attack.user(), attack.method(), attack.path(), attack.body());

            assertThat(response.statusCode()).as(attack.name()).isEqualTo(attack.status());
            assertThat(errorCode(response)).as(attack.name()).isEqualTo(attack.code());
            assertThat(snapshot(true)).as(attack.name() + ": storage").isEqualTo(before);
            if (attack.status() == 401) {
                assertThat(response.headers().firstValue("WWW-Authenticate")).as(attack.name()).hasValue("Basic realm=\"Entrepot\"");
            } else {
                assertThat(errorMessage(response)).as(attack.name()).contains("user " + attack.user() + " may not");
            }
        }

        List<JsonNode> denials = auditLines().stream().filter(line -> line.path("result").asText().equals("denied")).toList();
        List<Attack> authenticated = attacks.stream().filter(attack -> attack.status() == 403).toList();
        assertThat(denials).as("every 403 is audited; a request without credentials is not").hasSize(authenticated.size());
        for (int i = 0; i < authenticated.size(); i++) {
            Attack attack = authenticated.get(i);
            JsonNode line = denials.get(i);
            assertThat(line.path("action").asText()).as(attack.name()).isEqualTo("access.denied");
            assertThat(line.path("user").asText()).as(attack.name()).isEqualTo(attack.user());
            assertThat(line.path("status").asInt()).as(attack.name()).isEqualTo(403);
            assertThat(line.path("scope").asText()).as(attack.name()).startsWith("repository:");
        }
        assertThat(denials.get(0).path("scope").asText()).isEqualTo("repository:team-a/app:pull,push");
        assertThat(denials.get(3).path("scope").asText()).isEqualTo("repository:team-a/app:delete");
    }

    @Test
    void deniedMessage_namesActionAndRepository() {
        HttpResponse<byte[]> push = send("rita", "POST", "v2/team-a/app/blobs/uploads/", null);
        HttpResponse<byte[]> delete = send("dave", "DELETE", "v2/team-a/app/manifests/" + manifestDigest, null);

        assertThat(errorMessage(push)).isEqualTo("user rita may not push to repository team-a/app");
        assertThat(errorMessage(delete)).isEqualTo("user dave may not delete from repository team-a/app");
        assertThat(push.headers().firstValue("WWW-Authenticate")).as("403 carries no challenge").isEmpty();
    }

    @Test
    void roles_allowWhatTheyGrant() {
        assertThat(send("rita", "GET", "v2/team-a/app/manifests/v1", null).statusCode()).as("reader pulls").isEqualTo(200);
        assertThat(send("rita", "GET", "v2/team-a/app/tags/list", null).statusCode()).as("reader lists tags").isEqualTo(200);
        assertThat(pushImage("dave", "team-a/app", "v2")).as("developer pushes").startsWith("sha256:");
        assertThat(send("mia", "DELETE", "v2/team-a/app/manifests/" + manifestDigest, null).statusCode()).as("maintainer deletes")
                .isEqualTo(202);
        assertThat(send("root", "DELETE", "v2/team-b/app/manifests/" + manifestDigest, null).statusCode()).as("global admin deletes")
                .isEqualTo(202);
    }

    @Test
    void anonymousPull_onlyWhereTheProjectAllowsIt() {
        HttpResponse<byte[]> manifest = send(null, "GET", "v2/pub/base/manifests/v1", null);
        HttpResponse<byte[]> blob = send(null, "GET", "v2/pub/base/blobs/" + layerDigest, null);
        HttpResponse<byte[]> emptyBasic = send("", "GET", "v2/pub/base/manifests/v1", null);
        HttpResponse<byte[]> closed = send(null, "GET", "v2/team-a/app/manifests/v1", null);
        HttpResponse<byte[]> base = send(null, "GET", "v2/", null);

        assertThat(manifest.statusCode()).isEqualTo(200);
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(blob.body()).isEqualTo(layer);
        assertThat(emptyBasic.statusCode()).as("empty Basic credentials, as skopeo sends them, are anonymous").isEqualTo(200);
        assertThat(closed.statusCode()).isEqualTo(401);
        assertThat(base.statusCode()).as("/v2/ still challenges, so that clients with credentials learn to send them").isEqualTo(401);
        assertThat(base.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Entrepot\"");
    }

    @Test
    void loggedInUser_keepsAnonymousPull() {
        assertThat(send("bob", "GET", "v2/pub/base/manifests/v1", null).statusCode()).isEqualTo(200);
        assertThat(send("bob", "POST", "v2/pub/base/blobs/uploads/", null).statusCode()).isEqualTo(403);
    }

    @Test
    void mount_fromUnreadableRepository_startsPlainUpload() throws Exception {
        // bob may push to team-b but not read team-a, which has the blob.
        String mount = "v2/team-b/copy/blobs/uploads/?mount=" + layerDigest + "&from=team-a/app";
        String missingMount = "v2/team-b/copy/blobs/uploads/?mount=sha256:" + "0".repeat(64) + "&from=team-a/app";
        Map<String, String> before = snapshot(false);

        HttpResponse<byte[]> existing = send("bob", "POST", mount, null);
        HttpResponse<byte[]> missing = send("bob", "POST", missingMount, null);

        assertThat(existing.statusCode()).isEqualTo(202);
        assertThat(missing.statusCode()).as("same answer whether the source has the blob or not").isEqualTo(202);
        assertThat(existing.headers().firstValue("Location").orElse("")).contains("/v2/team-b/copy/blobs/uploads/");
        assertThat(existing.headers().firstValue("Docker-Content-Digest")).isEmpty();
        assertThat(send("bob", "HEAD", "v2/team-b/copy/blobs/" + layerDigest, null).statusCode()).as("not linked").isEqualTo(404);
        assertThat(snapshot(false)).as("storage apart from the new upload sessions").isEqualTo(before);
        List<JsonNode> denials = auditLines().stream().filter(line -> line.path("action").asText().equals("access.denied")).toList();
        assertThat(denials).hasSize(2).allSatisfy(line -> {
            assertThat(line.path("user").asText()).isEqualTo("bob");
            assertThat(line.path("repository").asText()).isEqualTo("team-a/app");
            assertThat(line.path("result").asText()).isEqualTo("denied");
            assertThat(line.path("scope").asText()).isEqualTo("repository:team-a/app:pull");
        });
    }

    @Test
    void mount_fromReadableRepository_links() {
        // dave may push to pub and read team-a.
        HttpResponse<byte[]> mounted = send("dave", "POST", "v2/pub/copy/blobs/uploads/?mount=" + layerDigest + "&from=team-a/app", null);

        assertThat(mounted.statusCode()).isEqualTo(201);
        assertThat(send(null, "HEAD", "v2/pub/copy/blobs/" + layerDigest, null).statusCode()).isEqualTo(200);
    }

    @Test
    void catalog_listsOnlyReadableRepositories() throws Exception {
        for (String repository : List.of("team-a/r1", "team-a/r2", "team-a/r3", "team-b/r1", "other/x")) {
            pushImage("root", repository, "v1");
        }

        assertThat(catalog("root", "")).containsExactly("other/x", "pub/base", "team-a/app", "team-a/r1", "team-a/r2", "team-a/r3",
                "team-b/app", "team-b/r1");
        assertThat(catalog("bob", "")).containsExactly("pub/base", "team-b/app", "team-b/r1");
        assertThat(catalog("rita", "")).containsExactly("pub/base", "team-a/app", "team-a/r1", "team-a/r2", "team-a/r3");
        assertThat(catalog("nobody", "")).containsExactly("pub/base");
        assertThat(send(null, "GET", "v2/_catalog", null).statusCode()).as("anonymous").isEqualTo(401);
    }

    @Test
    void catalog_paginatesAfterFiltering() throws Exception {
        for (String repository : List.of("team-a/r1", "team-a/r2", "team-a/r3", "team-b/r1", "team-b/r2")) {
            pushImage("root", repository, "v1");
        }

        // bob may read pub/base, team-b/app, team-b/r1 and team-b/r2, and four team-a repositories lie between the first two.
        List<String> seen = new ArrayList<>();
        String next = "v2/_catalog?n=2";
        List<Integer> pageSizes = new ArrayList<>();
        while (next != null) {
            HttpResponse<byte[]> page = send("bob", "GET", next, null);
            assertThat(page.statusCode()).isEqualTo(200);
            List<String> names = new ArrayList<>();
            JSON.readTree(page.body()).path("repositories").forEach(name -> names.add(name.asText()));
            pageSizes.add(names.size());
            seen.addAll(names);
            next = page.headers().firstValue("Link").map(link -> link.substring(link.indexOf('<') + 2, link.indexOf('>'))).orElse(null);
        }

        assertThat(seen).containsExactly("pub/base", "team-b/app", "team-b/r1", "team-b/r2");
        assertThat(pageSizes).containsExactly(2, 2);
        assertThat(catalog("bob", "?n=1&last=pub/base")).containsExactly("team-b/app");
    }

    @Test
    void catalog_skipsManyHiddenRepositories() throws Exception {
        // More hidden repositories between two readable ones than the catalog reads at once.
        int hidden = ListingHandler.DEFAULT_CATALOG_PAGE + 5;
        for (int i = 0; i < hidden; i++) {
            pushImage("root", "team-a/r%03d".formatted(i), "v1");
        }

        HttpResponse<byte[]> first = send("bob", "GET", "v2/_catalog?n=1", null);
        List<String> second = catalog("bob", "?n=1&last=pub/base");

        assertThat(catalog("bob", "")).containsExactly("pub/base", "team-b/app");
        assertThat(first.headers().firstValue("Link")).hasValue("</v2/_catalog?n=1&last=pub%2Fbase>; rel=\"next\"");
        assertThat(second).containsExactly("team-b/app");
        assertThat(catalog("rita", "?n=200")).hasSize(hidden + 2);
    }

    @Test
    void everyRoute_needsAccessForItsRepository() {
        for (ApiHandler.Route route : ApiHandler.Route.values()) {
            for (String method : METHODS) {
                List<Access> required = RequestAccess.required(route, method, "team-a/app", true);
                if (route == ApiHandler.Route.BASE || route == ApiHandler.Route.CATALOG) {
                    assertThat(required).as("%s %s", method, route).isEmpty();
                    continue;
                }
                assertThat(required).as("%s %s", method, route).isNotEmpty()
                        .allSatisfy(access -> assertThat(access.name()).isEqualTo("team-a/app"));
                boolean upload = route == ApiHandler.Route.UPLOADS || route == ApiHandler.Route.UPLOAD;
                if ((method.equals("GET") || method.equals("HEAD")) && !upload) {
                    assertThat(required).as("%s %s reads", method, route).containsExactly(Access.pull("team-a/app"));
                } else {
                    assertThat(required).as("%s %s may change content", method, route)
                            .anyMatch(access -> access.action().equals("push") || access.action().equals("delete"));
                }
            }
        }
        assertThat(RequestAccess.required(ApiHandler.Route.CATALOG, "GET", null, false)).containsExactly(Access.catalog());
    }

    @Test
    void everyRoute_rejectsUngrantedAndAnonymous() throws Exception {
        String upload = "v2/team-a/app/blobs/uploads/" + java.util.UUID.randomUUID();
        Map<ApiHandler.Route, String> samples = new EnumMap<>(Map.of(
                ApiHandler.Route.TAGS, "v2/team-a/app/tags/list",
                ApiHandler.Route.MANIFEST, "v2/team-a/app/manifests/v1",
                ApiHandler.Route.UPLOADS, "v2/team-a/app/blobs/uploads/",
                ApiHandler.Route.UPLOAD, upload,
                ApiHandler.Route.BLOB, "v2/team-a/app/blobs/" + layerDigest,
                ApiHandler.Route.REFERRERS, "v2/team-a/app/referrers/" + manifestDigest));
        Set<ApiHandler.Route> open = Set.of(ApiHandler.Route.BASE, ApiHandler.Route.CATALOG);
        assertThat(Stream.concat(samples.keySet().stream(), open.stream())).as("a sample path for every route")
                .containsExactlyInAnyOrder(ApiHandler.Route.values());
        Map<String, String> before = snapshot(true);

        for (Map.Entry<ApiHandler.Route, String> sample : samples.entrySet()) {
            for (String method : METHODS) {
                byte[] body = method.equals("GET") || method.equals("HEAD") || method.equals("DELETE") ? null : new byte[] {1};
                HttpResponse<byte[]> withoutGrants = send("nobody", method, sample.getValue(), body);
                HttpResponse<byte[]> anonymous = send(null, method, sample.getValue(), body);

                assertThat(withoutGrants.statusCode()).as("%s %s as nobody", method, sample.getKey()).isEqualTo(403);
                assertThat(anonymous.statusCode()).as("%s %s anonymously", method, sample.getKey()).isEqualTo(401);
            }
        }
        assertThat(snapshot(true)).isEqualTo(before);
        assertThat(send("nobody", "GET", "v2/", null).statusCode()).isEqualTo(200);
        assertThat(send("nobody", "GET", "v2/_catalog", null).statusCode()).isEqualTo(200);
    }

    @Test
    void accessWithoutAuthentication_stopsStart() {
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(dir.resolve("other-storage")), true);
        AccessConfig access = new AccessConfig(true, new AccessConfig.Grantees(Set.of("root"), Set.of(), Set.of()), null, List.of());
        RegistryConfig config = base.withAccess(AuthConfig.NONE, access);

        assertThatThrownBy(() -> RegistryServer.start(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be enforced with no authentication");
    }

    /** Pushes a one-layer image as {@code user} and returns the manifest digest. */
    private String pushImage(String user, String repository, String tag) {
        for (byte[] content : List.of(layer)) {
            HttpResponse<byte[]> blob = send(user, "POST", "v2/" + repository + "/blobs/uploads/?digest=" + RegistryClient.sha256(content),
                    content);
            assertThat(blob.statusCode()).as("blob push to %s", repository).isEqualTo(201);
        }
        byte[] manifest = TestManifests.image(TestManifests.Blob.of(layer), List.of(TestManifests.Blob.of(layer)), null);
        HttpResponse<byte[]> put = client.send("PUT", "v2/" + repository + "/manifests/" + tag, manifest,
                "Content-Type", TestManifests.OCI_MANIFEST, "Authorization", basic(user));
        assertThat(put.statusCode()).as("manifest push to %s", repository).isEqualTo(201);
        return RegistryClient.sha256(manifest);
    }

    private List<String> catalog(String user, String query) throws IOException {
        HttpResponse<byte[]> response = send(user, "GET", "v2/_catalog" + query, null);
        assertThat(response.statusCode()).as("catalog for %s", user).isEqualTo(200);
        List<String> names = new ArrayList<>();
        JSON.readTree(response.body()).path("repositories").forEach(name -> names.add(name.asText()));
        return names;
    }

    /** Sends a request as {@code user}: null sends no credentials, an empty name sends empty Basic credentials. */
    private HttpResponse<byte[]> send(String user, String method, String path, byte[] body) {
        List<String> headers = new ArrayList<>(List.of("Content-Type", "application/octet-stream"));
        if (user != null) {
            headers.addAll(List.of("Authorization", user.isEmpty() ? "Basic Og==" : basic(user)));
        }
        return client.send(method, path, body, headers.toArray(new String[0]));
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Returns every file under the storage root with its content, to compare before and after a
     * request. Upload sessions are left out when {@code withUploads} is false.
     */
    private Map<String, String> snapshot(boolean withUploads) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(storage)) {
            paths.filter(Files::isRegularFile)
                    .filter(path -> withUploads || !storage.relativize(path).toString().contains("/_uploads/"))
                    .forEach(path -> files.put(storage.relativize(path).toString(), read(path)));
        }
        return files;
    }

    private static String read(Path path) {
        try {
            return Arrays.toString(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String errorCode(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body()).path("errors").path(0).path("code").asText();
    }

    private static String errorMessage(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body()).path("errors").path(0).path("message").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the audit lines. Denials are recorded before their response is sent. */
    private List<JsonNode> auditLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        if (Files.exists(auditFile)) {
            for (String line : Files.readAllLines(auditFile)) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
