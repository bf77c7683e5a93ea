package io.entrepot.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.testing.TestCertificates;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;

class KeyIdsTest {

    @Test
    void libtrustKeyId_isTwelveGroupsOfBase32() {
        PublicKey key = TestCertificates.ecKeys().getPublic();

        String id = KeyIds.libtrustKeyId(key);

        assertThat(id).matches("[A-Z2-7]{4}(:[A-Z2-7]{4}){11}");
        assertThat(KeyIds.libtrustKeyId(key)).isEqualTo(id);
        assertThat(KeyIds.libtrustKeyId(TestCertificates.ecKeys().getPublic())).isNotEqualTo(id);
    }
}
