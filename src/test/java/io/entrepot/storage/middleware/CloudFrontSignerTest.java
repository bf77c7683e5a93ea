package io.entrepot.storage.middleware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import io.entrepot.storage.inmemory.InMemoryDriver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CloudFront canned-policy URLs, checked with the public half of a key pair generated here. */
class CloudFrontSignerTest {

    private static KeyPair keys;

    @TempDir
    Path directory;

    @BeforeAll
    static void generateKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
    }

    @Test
    void sign_cannedPolicy_verifiesWithPublicKey() throws Exception {
        CloudFrontSigner signer = new CloudFrontSigner(keys.getPrivate(), "K2JCJMDEHXQW5F");
        String resource = "https://d111111abcdef8.cloudfront.net/docker/registry/v2/blobs/sha256/ab/abcd/data";

        String url = signer.sign(resource, Instant.ofEpochSecond(1_900_000_000L));

        assertThat(url).startsWith(resource + "?");
        Map<String, String> query = query(url);
        assertThat(query.keySet()).containsExactly("Expires", "Signature", "Key-Pair-Id");
        assertThat(query.get("Expires")).isEqualTo("1900000000");
        assertThat(query.get("Key-Pair-Id")).isEqualTo("K2JCJMDEHXQW5F");
        assertThat(query.get("Signature")).doesNotContain("+", "=", "/");
        assertThat(verify(keys.getPublic(), CloudFrontSigner.cannedPolicy(resource, 1_900_000_000L), query.get("Signature"))).isTrue();
    }

    @Test
    void sign_otherResource_doesNotVerify() throws Exception {
        CloudFrontSigner signer = new CloudFrontSigner(keys.getPrivate(), "K2JCJMDEHXQW5F");

        String url = signer.sign("https://cdn.example.com/a", Instant.ofEpochSecond(1_900_000_000L));

        String policyForOther = CloudFrontSigner.cannedPolicy("https://cdn.example.com/b", 1_900_000_000L);
        assertThat(verify(keys.getPublic(), policyForOther, query(url).get("Signature"))).isFalse();
    }

    @Test
    void cannedPolicy_hasCloudFrontFormWithoutWhitespace() {
        assertThat(CloudFrontSigner.cannedPolicy("https://cdn.example.com/a", 1_357_034_400L)).isEqualTo(
                "{\"Statement\":[{\"Resource\":\"https://cdn.example.com/a\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":1357034400}}}]}");
    }

    @Test
    void readPrivateKey_pkcs8AndPkcs1Pem_giveSameKey() throws Exception {
        byte[] pkcs8 = keys.getPrivate().getEncoded();
        // A 2048-bit key's PKCS#8 header is 26 bytes; the PKCS#1 key that CloudFront hands out follows it.
        byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
        Path pkcs8Pem = Files.writeString(directory.resolve("pkcs8.pem"), pem("PRIVATE KEY", pkcs8));
        Path pkcs1Pem = Files.writeString(directory.resolve("pkcs1.pem"), pem("RSA PRIVATE KEY", pkcs1));

        assertThat(CloudFrontSigner.readPrivateKey(pkcs8Pem).getEncoded()).isEqualTo(pkcs8);
        assertThat(CloudFrontSigner.readPrivateKey(pkcs1Pem).getEncoded()).isEqualTo(pkcs8);
    }

    @Test
    void readPrivateKey_notPem_failsNamingFile() throws Exception {
        Path file = Files.writeString(directory.resolve("key.txt"), "not a key");

        assertThatThrownBy(() -> CloudFrontSigner.readPrivateKey(file)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void redirects_getSignedAndPutEmpty() throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);
        CloudFrontRedirects driver = new CloudFrontRedirects(new InMemoryDriver(), URI.create("https://cdn.example.com/"),
                new CloudFrontSigner(keys.getPrivate(), "KID"), Duration.ofMinutes(20), clock);

        String url = driver.redirectUrl("/docker/registry/v2/blobs/sha256/ab/abcd/data", "GET").orElseThrow();

        assertThat(url).startsWith("https://cdn.example.com/docker/registry/v2/blobs/sha256/ab/abcd/data?Expires=1800001200&");
        assertThat(verify(keys.getPublic(), CloudFrontSigner.cannedPolicy(
                "https://cdn.example.com/docker/registry/v2/blobs/sha256/ab/abcd/data", 1_800_001_200L), query(url).get("Signature"))).isTrue();
        assertThat(driver.redirectUrl("/docker/registry/v2/blobs/sha256/ab/abcd/data", "PUT")).isEmpty();
    }

    private static boolean verify(PublicKey key, String policy, String urlSafeSignature) throws Exception {
        byte[] signature = Base64.getDecoder().decode(urlSafeSignature.replace('-', '+').replace('_', '=').replace('~', '/'));
        Signature rsa = Signature.getInstance("SHA1withRSA");
        rsa.initVerify(key);
        rsa.update(policy.getBytes(StandardCharsets.UTF_8));
        return rsa.verify(signature);
    }

    private static Map<String, String> query(String url) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
            int equals = pair.indexOf('=');
            result.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return result;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
