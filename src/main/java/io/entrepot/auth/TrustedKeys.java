package io.entrepot.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.entrepot.tls.PemFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The public keys that may sign tokens: the certificates of {@code auth.token.rootcertbundle}
 * and the keys of {@code auth.token.jwks}.
 *
 * <p>A token names its key as distribution accepts it: by a {@code kid} header that is the key's
 * libtrust key ID (the form Docker's token servers write), its RFC 7638 JWK thumbprint, or the
 * {@code kid} of a JWKS entry; or by an {@code x5c} certificate chain that ends at a root certificate.
 * The first two work for keys from either file.
 */
final class TrustedKeys {

    private final Map<String, PublicKey> byKeyId;
    private final Set<TrustAnchor> roots;

    private TrustedKeys(Map<String, PublicKey> byKeyId, Set<TrustAnchor> roots) {
        this.byKeyId = Map.copyOf(byKeyId);
        this.roots = Set.copyOf(roots);
    }

    /**
     * Reads the root certificate bundle and the JWKS file; either may be null, but not both.
     *
     * @throws IOException when a file cannot be read or contains no key
     */
    static TrustedKeys load(Path rootCertBundle, Path jwks) throws IOException {
        Map<String, PublicKey> byKeyId = new HashMap<>();
        Set<TrustAnchor> roots = new HashSet<>();
        if (rootCertBundle != null) {
            for (X509Certificate certificate : PemFiles.certificates(rootCertBundle)) {
                PublicKey key = certificate.getPublicKey();
                byKeyId.put(KeyIds.libtrustKeyId(key), key);
                thumbprint(key).ifPresent(id -> byKeyId.put(id, key));
                roots.add(new TrustAnchor(certificate, null));
            }
        }
        if (jwks != null) {
            readJwks(jwks, byKeyId);
        }
        if (byKeyId.isEmpty()) {
            throw new IOException("no token signing key in " + (rootCertBundle != null ? rootCertBundle : jwks));
        }
        return new TrustedKeys(byKeyId, roots);
    }

    /** Returns the keys that trust only {@code key}, named by its libtrust key ID, as the built-in token server signs. */
    static TrustedKeys of(PublicKey key) {
        return new TrustedKeys(Map.of(KeyIds.libtrustKeyId(key), key), Set.of());
    }

    /** Returns the key named by {@code keyId}, or null when it is not trusted. */
    PublicKey byKeyId(String keyId) {
        return keyId == null ? null : byKeyId.get(keyId);
    }

    /** Returns the leaf's key when the {@code x5c} chain ends at a root certificate, or null otherwise. */
    PublicKey byCertificateChain(List<com.nimbusds.jose.util.Base64> chain) {
        if (chain == null || chain.isEmpty() || roots.isEmpty()) {
            return null;
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = new java.util.ArrayList<>();
            for (com.nimbusds.jose.util.Base64 encoded : chain) {
                certificates.add((X509Certificate) factory.generateCertificate(new java.io.ByteArrayInputStream(encoded.decode())));
            }
            X509Certificate leaf = certificates.get(0);
            if (roots.stream().anyMatch(root -> leaf.equals(root.getTrustedCert()))) {
                return leaf.getPublicKey();
            }
            PKIXParameters parameters = new PKIXParameters(roots);
            // Token signing certificates carry no revocation endpoint that a registry could reach.
            parameters.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(certificates), parameters);
            return certificates.get(0).getPublicKey();
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    private static void readJwks(Path file, Map<String, PublicKey> byKeyId) throws IOException {
        try {
            for (JWK jwk : JWKSet.load(file.toFile()).getKeys()) {
                if (!(jwk instanceof AsymmetricJWK asymmetric)) {
                    throw new IOException("key " + jwk.getKeyID() + " in " + file + " is not an RSA or EC public key");
                }
                PublicKey key = asymmetric.toPublicKey();
                // Also registered by libtrust key ID and thumbprint, as a bundle certificate is, because Docker's
                // token servers name their key by its libtrust ID, which a hand-written JWKS rarely has as kid.
                byKeyId.put(KeyIds.libtrustKeyId(key), key);
                byKeyId.put(jwk.computeThumbprint().toString(), key);
                if (jwk.getKeyID() != null) {
                    byKeyId.put(jwk.getKeyID(), key);
                }
            }
        } catch (ParseException | JOSEException e) {
            throw new IOException("invalid JWKS file " + file + ": " + e.getMessage(), e);
        }
    }

    private static java.util.Optional<String> thumbprint(PublicKey key) {
        try {
            JWK jwk = switch (key) {
                case java.security.interfaces.RSAPublicKey rsa -> new com.nimbusds.jose.jwk.RSAKey.Builder(rsa).build();
                case java.security.interfaces.ECPublicKey ec -> new com.nimbusds.jose.jwk.ECKey.Builder(
                        com.nimbusds.jose.jwk.Curve.forECParameterSpec(ec.getParams()), ec).build();
                default -> null;
            };
            return jwk == null ? java.util.Optional.empty() : java.util.Optional.of(jwk.computeThumbprint().toString());
        } catch (JOSEException | IllegalArgumentException | NullPointerException e) {
            return java.util.Optional.empty();
        }
    }
}
