package io.entrepot.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The address of the client that sent a request, the one every limit, log and audit line uses.
 *
 * <p>Behind a proxy listed in {@code http.trustedproxies}, the TCP peer is the proxy, and the
 * client is what the proxy reports: the {@code X-Forwarded-For} header, or the {@code for}
 * parameters of {@code Forwarded} when there is no {@code X-Forwarded-For}. Each proxy appends
 * the address it received the request from, so the list is read from the right, skipping the
 * trusted proxies: the first address that is not trusted is the client. Entries on its left
 * were written by the client and could be anything. An entry that is not an IP address (such
 * as {@code unknown}) ends the walk, and the last trusted hop is used. From a peer that is not
 * trusted, the headers are ignored.
 *
 * <p>{@link #handler} computes the address once per request; {@link #of} is how code reads it.
 */
final class ClientAddress {

    private static final String ATTRIBUTE = ClientAddress.class.getName();

    /** One {@code for=} parameter of a Forwarded element, quoted or not. */
    private static final Pattern FORWARDED_FOR = Pattern.compile("(?i)(?:^|;)\\s*for=(\"[^\"]*\"|[^;,\\s]*)");

    private ClientAddress() {}

    /** Returns a handler that records the client address of every request before {@code next} runs. */
    static Handler handler(TrustedProxies trustedProxies, Handler next) {
        return new Handler.Wrapper(next) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                request.setAttribute(ATTRIBUTE, resolve(request, trustedProxies));
                return super.handle(request, response, callback);
            }
        };
    }

    /**
     * Returns the client's address as {@link #handler} computed it, or the TCP peer's address
     * for a request that did not pass through it (a handler tested alone, without trusted proxies).
     */
    static String of(Request request) {
        return request.getAttribute(ATTRIBUTE) instanceof String address ? address : Request.getRemoteAddr(request);
    }

    /** Returns the client's address: the TCP peer's, or the one trusted proxies report. */
    static String resolve(Request request, TrustedProxies trustedProxies) {
        String peer = Request.getRemoteAddr(request);
        if (!trustedProxies.trusts(request.getConnectionMetaData().getRemoteSocketAddress())) {
            return peer;
        }
        List<String> hops = forwardedFor(request);
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = parse(hops.get(i));
            if (hop == null) {
                break;
            }
            client = hop.getHostAddress();
            if (!trustedProxies.trusts(hop)) {
                break;
            }
        }
        return client;
    }

    /** Returns the reported hops, the nearest proxy's last, as written (trimmed, unquoted). */
    private static List<String> forwardedFor(Request request) {
        List<String> hops = new ArrayList<>();
        List<String> xForwardedFor = request.getHeaders().getValuesList(HttpHeader.X_FORWARDED_FOR);
        if (!xForwardedFor.isEmpty()) {
            for (String value : xForwardedFor) {
                for (String hop : value.split(",", -1)) {
                    hops.add(hop.trim());
                }
            }
            return hops;
        }
        for (String value : request.getHeaders().getValuesList(HttpHeader.FORWARDED)) {
            for (String element : value.split(",", -1)) {
                Matcher matcher = FORWARDED_FOR.matcher(element.trim());
                // An element without for= is a hop that did not say where the request came from.
                hops.add(matcher.find() ? matcher.group(1).replace("\"", "").trim() : "");
            }
        }
        return hops;
    }

    /**
     * Returns the IP address in one hop: {@code 192.0.2.1}, {@code 192.0.2.1:4711}, {@code 2001:db8::1}
     * or {@code [2001:db8::1]:4711}; null for anything else, which is never looked up in DNS.
     */
    static InetAddress parse(String hop) {
        String literal = hop;
        if (literal.startsWith("[")) {
            int end = literal.indexOf(']');
            if (end < 0) {
                return null;
            }
            literal = literal.substring(1, end);
        } else if (literal.indexOf(':') == literal.lastIndexOf(':') && literal.indexOf(':') > 0) {
            // One colon: an IPv4 address with a port.
            literal = literal.substring(0, literal.indexOf(':'));
        }
        boolean ipv4 = literal.matches("[0-9]{1,3}(?:\\.[0-9]{1,3}){3}");
        boolean ipv6 = literal.contains(":") && literal.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
