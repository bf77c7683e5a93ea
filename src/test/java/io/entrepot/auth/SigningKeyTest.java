package io.entrepot.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import io.entrepot.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {

    @TempDir
    Path dir;

    @Test
    void ecKeys_deriveTheirPublicKeyOnEveryCurve() throws Exception {
        for (String curve : new String[] {"secp256r1", "secp384r1", "secp521r1"}) {
            // Several keys per curve, so that both roots of the curve equation are exercised.
            for (int i = 0; i < 4; i++) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec(curve));
                KeyPair keys = generator.generateKeyPair();
                Path file = TestCertificates.write(dir.resolve(curve + "-" + i + ".pem"), TestCertificates.pkcs8Pem(keys.getPrivate()));

                SigningKey key = SigningKey.load(file);

                assertThat(key.publicKey()).as(curve).isEqualTo(keys.getPublic());
            }
        }
    }

    @Test
    void algorithm_followsKeyType() throws Exception {
        KeyPair rsa = TestCertificates.rsaKeys();
        KeyPair ec = TestCertificates.ecKeys();

        SigningKey rsaKey = SigningKey.load(TestCertificates.write(dir.resolve("rsa.pem"), TestCertificates.pkcs8Pem(rsa.getPrivate())));
        SigningKey ecKey = SigningKey.load(TestCertificates.write(dir.resolve("ec.pem"), TestCertificates.traditionalPem(ec.getPrivate())));

        assertThat(rsaKey.algorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(rsaKey.publicKey()).isEqualTo(rsa.getPublic());
        assertThat(rsaKey.keyId()).isEqualTo(KeyIds.libtrustKeyId(rsa.getPublic()));
        assertThat(ecKey.algorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(ecKey.publicKey()).isEqualTo(ec.getPublic());
    }

    @Test
    void shortRsaKey_isRejected() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        Path file = TestCertificates.write(dir.resolve("short.pem"), TestCertificates.pkcs8Pem(generator.generateKeyPair().getPrivate()));

        IOException rejected = catchThrowableOfType(IOException.class, () -> SigningKey.load(file));

        assertThat(rejected.getMessage()).contains("1024 bits").contains(file.toString());
    }
}
