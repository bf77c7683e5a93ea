package io.entrepot.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

    @TempDir
    Path dir;

    private final TestCertificates ca = TestCertificates.newCa("test CA");

    @Test
    void keyStore_readsRsaKeyInPkcs8AndPkcs1() throws Exception {
        KeyPair keys = TestCertificates.rsaKeys();

        assertLoads(keys, TestCertificates::pkcs8Pem);
        assertLoads(keys, TestCertificates::traditionalPem);
        assertThat(TestCertificates.traditionalPem(keys.getPrivate())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    }

    @Test
    void keyStore_readsEcKeyInPkcs8AndSec1() throws Exception {
        KeyPair keys = TestCertificates.ecKeys();

        assertLoads(keys, TestCertificates::pkcs8Pem);
        assertLoads(keys, TestCertificates::traditionalPem);
        assertThat(TestCertificates.traditionalPem(keys.getPrivate())).startsWith("-----BEGIN EC PRIVATE KEY-----");
    }

    @Test
    void privateKey_rejectsSec1KeyWithoutCurve() throws Exception {
        // The inner key of a JDK PKCS#8 EC key is SEC 1 without the curve, which only the outer structure names.
        byte[] pkcs8 = TestCertificates.ecKeys().getPrivate().getEncoded();
        byte[] sec1 = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(pkcs8).parsePrivateKey().toASN1Primitive().getEncoded();
        String pem = "-----BEGIN EC PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(sec1) + "\n-----END EC PRIVATE KEY-----\n";
        Path key = TestCertificates.write(dir.resolve("bare.key"), pem);

        assertThatThrownBy(() -> PemFiles.privateKey(key)).hasMessageContaining("does not name its curve");
    }

    @Test
    void keyStore_keepsIntermediateCertificatesInChain() throws Exception {
        TestCertificates.Issued server = ca.issueServer(TestCertificates.ecKeys());
        Path certificate = TestCertificates.write(dir.resolve("chain.crt"), TestCertificates.pem(server.certificate()), TestCertificates.pem(ca.caCertificate()));
        Path key = TestCertificates.write(dir.resolve("server.key"), TestCertificates.pkcs8Pem(server.keys().getPrivate()));

        Certificate[] chain = PemFiles.keyStore(certificate, key).getCertificateChain("server");

        assertThat(chain).containsExactly(server.certificate(), ca.caCertificate());
    }

    @Test
    void keyStore_rejectsKeyOfAnotherCertificate() {
        TestCertificates.Issued server = ca.issueServer(TestCertificates.ecKeys());
        Path certificate = TestCertificates.write(dir.resolve("server.crt"), TestCertificates.pem(server.certificate()));
        Path key = TestCertificates.write(dir.resolve("other.key"), TestCertificates.pkcs8Pem(TestCertificates.ecKeys().getPrivate()));

        assertThatThrownBy(() -> PemFiles.keyStore(certificate, key)).isInstanceOf(IOException.class)
                .hasMessageContaining("does not match the first certificate");
    }

    @Test
    void privateKey_rejectsEncryptedKey() {
        Path pkcs8 = TestCertificates.write(dir.resolve("encrypted.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        Path legacy = TestCertificates.write(dir.resolve("legacy.key"), "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nMIIB\n-----END RSA PRIVATE KEY-----\n");

        assertThatThrownBy(() -> PemFiles.privateKey(pkcs8)).hasMessageContaining("encrypted private key");
        assertThatThrownBy(() -> PemFiles.privateKey(legacy)).hasMessageContaining("encrypted private key");
    }

    @Test
    void certificates_rejectFileWithoutCertificate() {
        Path file = TestCertificates.write(dir.resolve("empty.crt"), "just text\n");

        assertThatThrownBy(() -> PemFiles.certificates(file)).hasMessageContaining("no PEM certificate");
    }

    @Test
    void trustStore_readsEveryCertificateOfEveryFile() throws Exception {
        TestCertificates other = TestCertificates.newCa("other CA");
        Path first = TestCertificates.write(dir.resolve("a.crt"), TestCertificates.pem(ca.caCertificate()), TestCertificates.pem(other.caCertificate()));
        Path second = TestCertificates.write(dir.resolve("b.crt"), TestCertificates.pem(other.caCertificate()));

        KeyStore store = PemFiles.trustStore(List.of(first, second));

        assertThat(store.size()).isEqualTo(3);
    }

    private void assertLoads(KeyPair keys, Function<java.security.PrivateKey, String> encoding) throws Exception {
        TestCertificates.Issued server = ca.issueServer(keys);
        Path certificate = TestCertificates.write(dir.resolve("server.crt"), TestCertificates.pem(server.certificate()));
        // Windows line endings must not matter.
        Path key = TestCertificates.write(dir.resolve("server.key"), encoding.apply(keys.getPrivate()).replace("\n", "\r\n"));

        KeyStore store = PemFiles.keyStore(certificate, key);

        java.security.Key loaded = store.getKey("server", PemFiles.STORE_PASSWORD);
        if (loaded instanceof java.security.interfaces.ECPrivateKey ec) {
            // The SEC 1 form repeats the curve inside the key, so only the secret is compared.
            assertThat(ec.getS()).isEqualTo(((java.security.interfaces.ECPrivateKey) keys.getPrivate()).getS());
        } else {
            assertThat(loaded.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        }
    }
}
