package io.entrepot.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.entrepot.tls.PemFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;
import java.security.spec.RSAPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * Private key with which the built-in token server signs tokens, with the public key that the
 * registry verifies them with. The key type sets the JWS algorithm: RS256 for RSA, and ES256,
 * ES384 or ES512 for the P-256, P-384 and P-521 curves.
 */
public final class SigningKey {

    /** Minimum RSA modulus length. NIST has disallowed 1024-bit RSA signatures since 2013. */
    private static final int MIN_RSA_BITS = 2048;

    private final PublicKey publicKey;
    private final JWSAlgorithm algorithm;
    private final String keyId;
    private final JWSSigner signer;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey, JWSAlgorithm algorithm) throws JOSEException {
        this.publicKey = publicKey;
        this.algorithm = algorithm;
        this.keyId = KeyIds.libtrustKeyId(publicKey);
        this.signer = privateKey instanceof ECPrivateKey ec ? new ECDSASigner(ec) : new RSASSASigner(privateKey);
    }

    /**
     * Reads a PEM RSA or EC private key ({@code PRIVATE KEY}, {@code RSA PRIVATE KEY} or
     * {@code EC PRIVATE KEY}).
     *
     * @throws IOException when the file cannot be read, contains no usable key, or contains an RSA key
     *     shorter than 2048 bits or an EC key on a curve that JWS does not define
     */
    public static SigningKey load(Path file) throws IOException {
        PrivateKey key = PemFiles.privateKey(file);
        try {
            return switch (key) {
                case RSAPrivateCrtKey rsa -> {
                    if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                        throw new IOException("RSA key in " + file + " has " + rsa.getModulus().bitLength()
                                + " bits; use at least " + MIN_RSA_BITS);
                    }
                    PublicKey publicKey = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
                    yield new SigningKey(rsa, publicKey, JWSAlgorithm.RS256);
                }
                case ECPrivateKey ec -> new SigningKey(ec, ecPublicKey(ec, file), ecAlgorithm(ec, file));
                default -> throw new IOException("key in " + file + " is " + key.getAlgorithm() + "; use an RSA or EC private key");
            };
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IOException("cannot use the key in " + file + " to sign tokens: " + e.getMessage(), e);
        }
    }

    /** Returns the public key that verifies this key's signatures. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** Returns the libtrust key ID written in the {@code kid} header of every token. */
    public String keyId() {
        return keyId;
    }

    public JWSAlgorithm algorithm() {
        return algorithm;
    }

    /** Signs {@code claims} and returns the compact JWT. */
    String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(keyId).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("failed to sign a token with the " + algorithm + " key " + keyId, e);
        }
        return jwt.serialize();
    }

    private static JWSAlgorithm ecAlgorithm(ECPrivateKey key, Path file) throws IOException {
        return switch (key.getParams().getOrder().bitLength()) {
            case 256 -> JWSAlgorithm.ES256;
            case 384 -> JWSAlgorithm.ES384;
            case 521 -> JWSAlgorithm.ES512;
            default -> throw new IOException("EC key in " + file + " is not on the P-256, P-384 or P-521 curve");
        };
    }

    /*
     * The JDK cannot derive an EC public key from a private key, and a PEM private key need not
     * carry its public key. The public point is d·G, so an ECDH agreement between the private key
     * and the curve's generator G yields its x coordinate, computed by the JDK's own constant-time
     * code. Of the two points with that x, the one that verifies a signature made with the private
     * key is the public key.
     */
    private static PublicKey ecPublicKey(ECPrivateKey key, Path file) throws GeneralSecurityException, IOException {
        ECParameterSpec params = key.getParams();
        KeyFactory factory = KeyFactory.getInstance("EC");
        KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(key);
        agreement.doPhase(factory.generatePublic(new ECPublicKeySpec(params.getGenerator(), params)), true);
        BigInteger x = new BigInteger(1, agreement.generateSecret());

        EllipticCurve curve = params.getCurve();
        if (!(curve.getField() instanceof ECFieldFp field)) {
            throw new IOException("EC key in " + file + " is on a binary curve; use P-256, P-384 or P-521");
        }
        BigInteger p = field.getP();
        BigInteger ySquared = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
        // A square root modulo p is a power of it when p ≡ 3 (mod 4), which holds for P-256, P-384 and P-521.
        BigInteger y = ySquared.modPow(p.add(BigInteger.ONE).shiftRight(2), p);
        if (!p.testBit(1) || !y.multiply(y).mod(p).equals(ySquared)) {
            throw new IOException("EC key in " + file + " is not on the P-256, P-384 or P-521 curve");
        }
        for (BigInteger candidate : new BigInteger[] {y, p.subtract(y)}) {
            ECPublicKey publicKey = (ECPublicKey) factory.generatePublic(new ECPublicKeySpec(new ECPoint(x, candidate), params));
            if (verifies(key, publicKey)) {
                return publicKey;
            }
        }
        throw new IOException("cannot derive the public key of the EC key in " + file);
    }

    private static boolean verifies(PrivateKey privateKey, PublicKey publicKey) throws GeneralSecurityException {
        byte[] message = "entrepot signing key check".getBytes(StandardCharsets.US_ASCII);
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(privateKey);
        signature.update(message);
        byte[] signed = signature.sign();
        signature.initVerify(publicKey);
        signature.update(message);
        return signature.verify(signed);
    }
}
