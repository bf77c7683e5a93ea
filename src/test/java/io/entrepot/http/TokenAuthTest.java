package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.entrepot.auth.KeyIds;
import io.entrepot.config.AuditConfig;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestCertificates;
import io.entrepot.testing.TestConfigs;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code auth.token} with tokens signed in the test, and the attack table for bearer tokens. */
class TokenAuthTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REALM = "https://auth.example.com/token";
    private static final String SERVICE = "registry.example.com";
    private static final String ISSUER = "auth.example.com";

    @TempDir
    Path dir;

    private final KeyPair signingKeys = TestCertificates.rsaKeys();
    private TestCertificates issuingCa;
    private TestCertificates.Issued signer;
    private RegistryServer server;
    private RegistryClient client;
    private Path auditFile;
    private byte[] layer;
    private String layerDigest;

    @BeforeEach
    void start() throws Exception {
        issuingCa = TestCertificates.newCa("token CA");
        signer = issuingCa.issueServer(signingKeys);
        Path bundle = TestCertificates.write(dir.resolve("bundle.crt"), TestCertificates.pem(signer.certificate()),
                TestCertificates.pem(issuingCa.caCertificate()));
        auditFile = dir.resolve("audit.log");
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(dir.resolve("storage")), true);
        server = RegistryServer.start(new RegistryConfig(base.version(), base.log(), base.storage(), base.http(),
                new AuthConfig.Token(REALM, SERVICE, ISSUER, bundle, null), new AuditConfig(auditFile, false)));
        client = new RegistryClient(server.baseUri());

        layer = "layer".getBytes(StandardCharsets.UTF_8);
        layerDigest = RegistryClient.sha256(layer);
        HttpResponse<byte[]> push = pushLayer("team/app", token(claims("team/app", "pull", "push")));
        assertThat(push.statusCode()).isEqualTo(201);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void noToken_challengesWithScope() throws Exception {
        HttpResponse<byte[]> response = client.get("v2/team/app/tags/list");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"" + REALM + "\",service=\"" + SERVICE + "\",scope=\"repository:team/app:pull\"");
        assertThat(errorCode(response)).isEqualTo("UNAUTHORIZED");
    }

    @Test
    void base_withoutToken_challengesWithoutScope() {
        HttpResponse<byte[]> response = client.get("v2/");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"" + REALM + "\",service=\"" + SERVICE + "\"");
    }

    @Test
    void validToken_grantsItsScope() throws Exception {
        String pull = token(claims("team/app", "pull"));

        assertThat(client.get("v2/", "Authorization", "Bearer " + pull).statusCode()).isEqualTo(200);
        assertThat(client.head("v2/team/app/blobs/" + layerDigest, "Authorization", "Bearer " + pull).statusCode()).isEqualTo(200);
        assertThat(client.get("v2/_catalog", "Authorization", "Bearer " + token(resourceClaims("registry", "catalog", List.of("*")))).statusCode()).isEqualTo(200);
    }

    @Test
    void ecdsaKeyInJwks_isAccepted() throws Exception {
        KeyPair ec = TestCertificates.ecKeys();
        com.nimbusds.jose.jwk.ECKey jwk = new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256,
                (java.security.interfaces.ECPublicKey) ec.getPublic()).keyID("ec-key-1").build();
        Path jwks = Files.writeString(dir.resolve("jwks.json"), new com.nimbusds.jose.jwk.JWKSet(jwk).toString());
        server.close();
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(dir.resolve("storage")), true);
        server = RegistryServer.start(new RegistryConfig(base.version(), base.log(), base.storage(), base.http(),
                new AuthConfig.Token(REALM, SERVICE, ISSUER, null, jwks), AuditConfig.DISABLED));
        client = new RegistryClient(server.baseUri());

        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-key-1").build(), claims("team/app", "pull").build());
        jwt.sign(new ECDSASigner((java.security.interfaces.ECPrivateKey) ec.getPrivate()));

        assertThat(client.get("v2/team/app/tags/list", "Authorization", "Bearer " + jwt.serialize()).statusCode()).isIn(200, 404);
    }

    @Test
    void jwksEntryWithoutKid_isFound() throws Exception {
        KeyPair ec = TestCertificates.ecKeys();
        com.nimbusds.jose.jwk.ECKey jwk = new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256,
                (java.security.interfaces.ECPublicKey) ec.getPublic()).build();
        Path jwks = Files.writeString(dir.resolve("jwks.json"), new com.nimbusds.jose.jwk.JWKSet(jwk).toString());
        server.close();
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(dir.resolve("storage")), true);
        server = RegistryServer.start(new RegistryConfig(base.version(), base.log(), base.storage(), base.http(),
                new AuthConfig.Token(REALM, SERVICE, ISSUER, null, jwks), AuditConfig.DISABLED));
        client = new RegistryClient(server.baseUri());

        for (String kid : List.of(KeyIds.libtrustKeyId(ec.getPublic()), jwk.computeThumbprint().toString(), "unknown-key")) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build(), claims("team/app", "pull").build());
            jwt.sign(new ECDSASigner((java.security.interfaces.ECPrivateKey) ec.getPrivate()));
            int status = client.get("v2/team/app/tags/list", "Authorization", "Bearer " + jwt.serialize()).statusCode();

            if (kid.equals("unknown-key")) {
                assertThat(status).as(kid).isEqualTo(401);
            } else {
                assertThat(status).as(kid).isIn(200, 404);
            }
        }
    }

    @Test
    void x5cChain_toBundleCertificate_isAccepted() throws Exception {
        KeyPair leafKeys = TestCertificates.rsaKeys();
        TestCertificates.Issued leaf = issuingCa.issueServer(leafKeys);
        JWSHeader chained = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .x509CertChain(List.of(com.nimbusds.jose.util.Base64.encode(leaf.certificate().getEncoded()))).build();
        SignedJWT byCa = new SignedJWT(chained, claims("team/app", "pull").build());
        byCa.sign(new RSASSASigner(leafKeys.getPrivate()));
        TestCertificates.Issued stranger = TestCertificates.newCa("stranger CA").issueServer(leafKeys);
        JWSHeader untrusted = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .x509CertChain(List.of(com.nimbusds.jose.util.Base64.encode(stranger.certificate().getEncoded()))).build();
        SignedJWT byStranger = new SignedJWT(untrusted, claims("team/app", "pull").build());
        byStranger.sign(new RSASSASigner(leafKeys.getPrivate()));

        assertThat(client.head("v2/team/app/blobs/" + layerDigest, "Authorization", "Bearer " + byCa.serialize()).statusCode()).isEqualTo(200);
        assertThat(client.head("v2/team/app/blobs/" + layerDigest, "Authorization", "Bearer " + byStranger.serialize()).statusCode()).isEqualTo(401);
    }

    @Test
    void x5cLeaf_inBundle_isAccepted() throws Exception {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .x509CertChain(List.of(com.nimbusds.jose.util.Base64.encode(signer.certificate().getEncoded()))).build();
        SignedJWT jwt = new SignedJWT(header, claims("team/app", "pull").build());
        jwt.sign(new RSASSASigner(signingKeys.getPrivate()));

        assertThat(client.head("v2/team/app/blobs/" + layerDigest, "Authorization", "Bearer " + jwt.serialize()).statusCode()).isEqualTo(200);
    }

    @Test
    void attacks_areRejectedAndChangeNothing() throws Exception {
        Instant now = Instant.now();
        KeyPair otherKeys = TestCertificates.rsaKeys();
        Map<String, String> pushTokens = new java.util.LinkedHashMap<>();
        pushTokens.put("expired token", token(claims("team/app", "pull", "push")
                .expirationTime(Date.from(now.minus(Duration.ofMinutes(5)))).issueTime(Date.from(now.minus(Duration.ofMinutes(10))))));
        pushTokens.put("not yet valid", token(claims("team/app", "pull", "push").notBeforeTime(Date.from(now.plus(Duration.ofMinutes(10))))));
        pushTokens.put("other service", token(claims("team/app", "pull", "push").audience("other.example.com")));
        pushTokens.put("other issuer", token(claims("team/app", "pull", "push").issuer("evil.example.com")));
        pushTokens.put("no expiry", token(claims("team/app", "pull", "push").expirationTime(null)));
        pushTokens.put("other signing key, same kid", sign(claims("team/app", "pull", "push"), otherKeys, KeyIds.libtrustKeyId(signingKeys.getPublic())));
        pushTokens.put("other signing key, its own kid", sign(claims("team/app", "pull", "push"), otherKeys, KeyIds.libtrustKeyId(otherKeys.getPublic())));
        pushTokens.put("alg none", unsigned(claims("team/app", "pull", "push")));
        pushTokens.put("HS256 with the public key as secret", hmacWithPublicKey(claims("team/app", "pull", "push")));
        pushTokens.put("tampered claims", tamper(token(claims("other/app", "pull", "push")), claims("team/app", "pull", "push")));
        pushTokens.put("scope for another repository", token(claims("team/other", "pull", "push")));
        pushTokens.put("repository prefix", token(claims("team", "pull", "push")));
        pushTokens.put("pull-only token", token(claims("team/app", "pull")));
        pushTokens.put("garbage", "not.a.token");

        HttpResponse<byte[]> manifestBefore = client.get("v2/team/app/tags/list", "Authorization", "Bearer " + token(claims("team/app", "pull")));
        for (Map.Entry<String, String> attack : pushTokens.entrySet()) {
            HttpResponse<byte[]> push = client.send("POST", "v2/team/app/blobs/uploads/", null, "Authorization", "Bearer " + attack.getValue());
            HttpResponse<byte[]> delete = client.send("DELETE", "v2/team/app/blobs/" + layerDigest, null, "Authorization", "Bearer " + attack.getValue());

            assertThat(push.statusCode()).as(attack.getKey() + ": push").isEqualTo(401);
            assertThat(errorCode(push)).as(attack.getKey() + ": push").isEqualTo("UNAUTHORIZED");
            assertThat(push.headers().firstValue("WWW-Authenticate").orElse("")).as(attack.getKey())
                    .startsWith("Bearer realm=\"" + REALM + "\"").contains("scope=\"repository:team/app:pull,push\"");
            assertThat(delete.statusCode()).as(attack.getKey() + ": delete").isEqualTo(401);
        }

        String pullOnly = token(claims("team/app", "pull"));
        assertThat(client.head("v2/team/app/blobs/" + layerDigest, "Authorization", "Bearer " + pullOnly).statusCode())
                .as("blob still there").isEqualTo(200);
        assertThat(client.get("v2/team/app/blobs/uploads/x", "Authorization", "Bearer " + pullOnly).statusCode()).isIn(401, 404);
        assertThat(client.get("v2/team/app/tags/list", "Authorization", "Bearer " + pullOnly).statusCode()).isEqualTo(manifestBefore.statusCode());
        HttpResponse<byte[]> insufficient = client.send("DELETE", "v2/team/app/blobs/" + layerDigest, null, "Authorization", "Bearer " + pullOnly);
        assertThat(insufficient.headers().firstValue("WWW-Authenticate").orElse("")).contains("error=\"insufficient_scope\"")
                .contains("scope=\"repository:team/app:delete\"");

        List<JsonNode> audit = auditLines();
        assertThat(audit).filteredOn(line -> line.path("action").asText().equals("access.denied"))
                .isNotEmpty().allSatisfy(line -> assertThat(line.path("user").asText()).isEqualTo("alice"));
        assertThat(audit).filteredOn(line -> line.path("action").asText().equals("auth.failure")).isNotEmpty();
        assertThat(audit).filteredOn(line -> line.path("action").asText().equals("blob.delete")).isEmpty();
        assertThat(Files.readString(auditFile)).doesNotContain(pullOnly);
    }

    @Test
    void pullOnlyToken_cannotPushOrDeleteManifests() throws Exception {
        String pusher = token(claims("team/app", "pull", "push", "delete"));
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        String configDigest = RegistryClient.sha256(config);
        assertThat(client.send("POST", "v2/team/app/blobs/uploads/?digest=" + configDigest, config,
                "Content-Type", "application/octet-stream", "Authorization", "Bearer " + pusher).statusCode()).isEqualTo(201);
        byte[] manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},\
                "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}"""
                .formatted(configDigest, config.length, layerDigest, layer.length).getBytes(StandardCharsets.UTF_8);
        String manifestDigest = RegistryClient.sha256(manifest);
        assertThat(client.send("PUT", "v2/team/app/manifests/v1", manifest, "Content-Type", "application/vnd.oci.image.manifest.v1+json",
                "Authorization", "Bearer " + pusher).statusCode()).isEqualTo(201);
        String pullOnly = "Bearer " + token(claims("team/app", "pull"));
        byte[] retagged = new String(manifest, StandardCharsets.UTF_8).replace("}]}", "}],\"annotations\":{\"a\":\"b\"}}")
                .getBytes(StandardCharsets.UTF_8);

        HttpResponse<byte[]> put = client.send("PUT", "v2/team/app/manifests/v1", retagged,
                "Content-Type", "application/vnd.oci.image.manifest.v1+json", "Authorization", pullOnly);
        HttpResponse<byte[]> deleteByDigest = client.send("DELETE", "v2/team/app/manifests/" + manifestDigest, null, "Authorization", pullOnly);
        HttpResponse<byte[]> deleteTag = client.send("DELETE", "v2/team/app/manifests/v1", null, "Authorization", pullOnly);

        for (HttpResponse<byte[]> response : List.of(put, deleteByDigest, deleteTag)) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(errorCode(response)).isEqualTo("UNAUTHORIZED");
            assertThat(response.headers().firstValue("WWW-Authenticate").orElse("")).contains("error=\"insufficient_scope\"");
        }
        HttpResponse<byte[]> stored = client.get("v2/team/app/manifests/v1", "Authorization", pullOnly,
                "Accept", "application/vnd.oci.image.manifest.v1+json");
        assertThat(stored.statusCode()).isEqualTo(200);
        assertThat(stored.body()).isEqualTo(manifest);
        assertThat(client.head("v2/team/app/manifests/" + manifestDigest, "Authorization", pullOnly).statusCode()).isEqualTo(200);
        assertThat(auditLines()).filteredOn(line -> line.path("action").asText().equals("access.denied")).hasSize(3);
    }

    @Test
    void mount_withoutSourcePull_startsPlainUpload() throws Exception {
        String mount = "v2/team/copy/blobs/uploads/?mount=" + layerDigest + "&from=team/app";
        String withoutSource = token(claims("team/copy", "pull", "push"));
        JWTClaimsSet.Builder both = claims("team/copy", "pull", "push");
        both.claim("access", List.of(
                Map.of("type", "repository", "name", "team/copy", "actions", List.of("pull", "push")),
                Map.of("type", "repository", "name", "team/app", "actions", List.of("pull"))));

        HttpResponse<byte[]> refused = client.send("POST", mount, null, "Authorization", "Bearer " + withoutSource);
        HttpResponse<byte[]> mounted = client.send("POST", mount, null, "Authorization", "Bearer " + token(both));

        assertThat(refused.statusCode()).as("a refused mount becomes an upload, as the specification allows").isEqualTo(202);
        assertThat(refused.headers().firstValue("Location").orElse("")).contains("/v2/team/copy/blobs/uploads/");
        assertThat(mounted.statusCode()).isEqualTo(201);
    }

    private HttpResponse<byte[]> pushLayer(String repository, String token) {
        return client.send("POST", "v2/" + repository + "/blobs/uploads/?digest=" + layerDigest, layer,
                "Content-Type", "application/octet-stream", "Authorization", "Bearer " + token);
    }

    /** Returns claims for {@code alice} that grant {@code actions} on one repository, valid for five minutes. */
    private static JWTClaimsSet.Builder claims(String repository, String... actions) {
        return resourceClaims("repository", repository, List.of(actions));
    }

    private static JWTClaimsSet.Builder resourceClaims(String type, String name, List<String> actions) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER).subject("alice").audience(SERVICE)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .jwtID(java.util.UUID.randomUUID().toString())
                .claim("access", List.of(Map.of("type", type, "name", name, "actions", actions)));
    }

    private String token(JWTClaimsSet.Builder claims) throws Exception {
        return sign(claims, signingKeys, KeyIds.libtrustKeyId(signingKeys.getPublic()));
    }

    private static String sign(JWTClaimsSet.Builder claims, KeyPair keys, String kid) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims.build());
        jwt.sign(new RSASSASigner(keys.getPrivate()));
        return jwt.serialize();
    }

    private String unsigned(JWTClaimsSet.Builder claims) {
        String header = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"" + KeyIds.libtrustKeyId(signingKeys.getPublic()) + "\"}").toString();
        return header + "." + Base64URL.encode(claims.build().toString()) + ".";
    }

    private String hmacWithPublicKey(JWTClaimsSet.Builder claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(KeyIds.libtrustKeyId(signingKeys.getPublic())).build(), claims.build());
        jwt.sign(new MACSigner(MessageDigest.getInstance("SHA-256").digest(signingKeys.getPublic().getEncoded())));
        return jwt.serialize();
    }

    /** Keeps the header and signature of {@code token} and swaps in other claims. */
    private static String tamper(String token, JWTClaimsSet.Builder claims) {
        String[] parts = token.split("\\.");
        return parts[0] + "." + Base64URL.encode(claims.build().toString()) + "." + parts[2];
    }

    private List<JsonNode> auditLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(auditFile)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static String errorCode(HttpResponse<byte[]> response) throws Exception {
        return JSON.readTree(response.body()).path("errors").path(0).path("code").asText();
    }
}
