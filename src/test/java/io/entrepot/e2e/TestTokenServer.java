package io.entrepot.e2e;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A minimal token server for Docker's token authentication, on loopback: {@code GET /token}
 * with Basic credentials returns a JWT that grants the requested scopes, cut down by a policy.
 */
final class TestTokenServer implements AutoCloseable {

    private final HttpServer server;

    /**
     * @param policy returns the actions that a user (null when the password is wrong) may have
     *     on a repository, from those requested
     */
    TestTokenServer(KeyPair signingKeys, String keyId, String issuer, Map<String, String> passwords,
            BiFunction<String, List<String>, List<String>> policy) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", exchange -> {
            try (exchange) {
                String user = authenticate(exchange, passwords);
                if (user == null) {
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                String token = sign(signingKeys, keyId, issuer, user, query(exchange, "service"), access(exchange, user, policy));
                byte[] body = ("{\"token\":\"" + token + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
    }

    /** Returns the realm URL to configure in {@code auth.token.realm}. */
    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    private static String authenticate(HttpExchange exchange, Map<String, String> passwords) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Basic ")) {
            return null;
        }
        String[] credentials = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8).split(":", 2);
        return credentials.length == 2 && credentials[1].equals(passwords.get(credentials[0])) ? credentials[0] : null;
    }

    private static List<Map<String, Object>> access(HttpExchange exchange, String user, BiFunction<String, List<String>, List<String>> policy) {
        List<Map<String, Object>> access = new ArrayList<>();
        for (String scope : queryAll(exchange, "scope")) {
            String[] parts = scope.split(":");
            if (parts.length == 3 && parts[0].equals("repository")) {
                access.add(Map.of("type", "repository", "name", parts[1], "actions", policy.apply(user, List.of(parts[2].split(",")))));
            }
        }
        return access;
    }

    private static String sign(KeyPair keys, String keyId, String issuer, String user, String service, List<Map<String, Object>> access) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject(user).audience(service)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .claim("access", access).build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId).build(), claims);
            jwt.sign(new RSASSASigner(keys.getPrivate()));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String query(HttpExchange exchange, String name) {
        List<String> values = queryAll(exchange, name);
        return values.isEmpty() ? null : values.get(0);
    }

    private static List<String> queryAll(HttpExchange exchange, String name) {
        List<String> values = new ArrayList<>();
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return values;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8).equals(name)) {
                values.add(URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
