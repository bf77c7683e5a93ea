package io.entrepot.http;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers whose {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, {@code X-Forwarded-For}
 * and {@code Forwarded} headers are believed ({@code http.trustedproxies}). Headers from any
 * other peer are ignored, because a client could otherwise make the registry send Location URLs
 * that point at a host of its choice, or pick the address its failed logins are counted against.
 */
final class TrustedProxies {

    /** One address range: the first {@code prefixLength} bits of {@code network}. */
    private record Range(byte[] network, int prefixLength) {

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int bits = network.length * 8;
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                    .shiftRight(prefixLength).xor(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
            return new BigInteger(1, address).and(mask).equals(new BigInteger(1, network).and(mask));
        }
    }

    static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = ranges;
    }

    /**
     * Parses IP literals and CIDR ranges, which the configuration has already validated.
     *
     * @throws IllegalArgumentException naming an entry that is not an IP literal or CIDR range
     */
    static TrustedProxies parse(List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        for (String entry : entries) {
            int slash = entry.indexOf('/');
            String literal = slash < 0 ? entry : entry.substring(0, slash);
            if (!literal.matches("[0-9A-Fa-f:.]+")) {
                throw new IllegalArgumentException("http.trustedproxies: not an IP address: " + entry);
            }
            byte[] address;
            try {
                // A literal of digits, dots and colons is parsed without a DNS lookup.
                address = InetAddress.getByName(literal).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("http.trustedproxies: not an IP address: " + entry, e);
            }
            int prefixLength = slash < 0 ? address.length * 8 : Integer.parseInt(entry.substring(slash + 1));
            ranges.add(new Range(address, prefixLength));
        }
        return new TrustedProxies(List.copyOf(ranges));
    }

    /** Returns whether {@code peer}, the TCP peer of a request, is a trusted proxy. */
    boolean trusts(SocketAddress peer) {
        if (ranges.isEmpty() || !(peer instanceof InetSocketAddress socket) || socket.getAddress() == null) {
            return false;
        }
        return trusts(socket.getAddress());
    }

    /** Returns whether {@code address} is in one of the trusted ranges. */
    boolean trusts(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Range range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }
}
