package io.entrepot.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An HTTP/1.1 proxy on a loopback port that forwards requests unchanged to a server on another
 * loopback port, except those a rule selects (every {@code n}th request, or those whose head
 * matches a predicate), which it rejects itself with S3's {@code 503 SlowDown}. Requests are
 * forwarded byte for byte, so signatures stay valid.
 *
 * <p>Each connection carries one request: the proxy adds {@code Connection: close} both ways,
 * which keeps it free of response framing. Request bodies must have a {@code Content-Length},
 * as every request of the AWS SDK's S3 client with whole-buffer bodies has.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    private static final byte[] SLOW_DOWN_BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
            + "<Message>Please reduce your request rate.</Message><RequestId>fault-injected</RequestId></Error>")
            .getBytes(StandardCharsets.UTF_8);

    private final ServerSocket listener;
    private final int upstreamPort;
    private final Predicate<String> fails;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger faults = new AtomicInteger();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    /** Starts a proxy to {@code upstreamPort} on 127.0.0.1 that responds with 503 to every {@code failEvery}th request. */
    public FaultInjectingProxy(int upstreamPort, int failEvery) throws IOException {
        this(upstreamPort, everyNth(failEvery));
    }

    /**
     * Starts a proxy to {@code upstreamPort} on 127.0.0.1 that responds with 503 to each request
     * whose head (request line and headers) {@code fails} accepts. The predicate runs on the
     * request's own thread before anything is forwarded, so it may also hold the request back.
     */
    public FaultInjectingProxy(int upstreamPort, Predicate<String> fails) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.fails = fails;
        executor.submit(this::acceptLoop);
    }

    /**
     * Starts a proxy to {@code upstreamPort} on 127.0.0.1 that holds back each request whose head
     * {@code selects} accepts, counting it in {@code held}, until {@code release} opens or 60 s
     * pass, then forwards it. Requests arriving after {@code release} opened pass at once.
     */
    public static FaultInjectingProxy holding(int upstreamPort, Predicate<String> selects, AtomicInteger held,
            CountDownLatch release) throws IOException {
        return new FaultInjectingProxy(upstreamPort, head -> {
            if (selects.test(head) && release.getCount() > 0) {
                held.incrementAndGet();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return false;
        });
    }

    private static Predicate<String> everyNth(int failEvery) {
        AtomicInteger seen = new AtomicInteger();
        return head -> seen.incrementAndGet() % failEvery == 0;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** Returns how many requests received a 503. */
    public int faults() {
        return faults.get();
    }

    /** Returns how many requests arrived, the failed ones included. */
    public int requests() {
        return requests.get();
    }

    private Void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                executor.submit(() -> handle(client));
            } catch (IOException closed) {
                return null;
            }
        }
        return null;
    }

    private Void handle(Socket client) {
        try (client) {
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            String head = readHead(in);
            if (head == null) {
                return null;
            }
            boolean expectContinue = header(head, "expect") != null;
            requests.incrementAndGet();
            if (fails.test(head)) {
                faults.incrementAndGet();
                out.write(("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: " + SLOW_DOWN_BODY.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(SLOW_DOWN_BODY);
                out.flush();
                return null;
            }
            if (expectContinue) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            String length = header(head, "content-length");
            byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length.trim()));
            forward(withConnectionClose(head), body, out);
        } catch (IOException e) {
            // The client gave up or the upstream failed; the client sees the connection close.
        }
        return null;
    }

    private void forward(String head, byte[] body, OutputStream out) throws IOException {
        try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            OutputStream upstreamOut = upstream.getOutputStream();
            upstreamOut.write(head.getBytes(StandardCharsets.ISO_8859_1));
            upstreamOut.write(body);
            upstreamOut.flush();
            InputStream upstreamIn = new BufferedInputStream(upstream.getInputStream());
            String responseHead = readHead(upstreamIn);
            // The proxy answered Expect itself, so the server's own interim answers are dropped.
            while (responseHead != null && responseHead.startsWith("HTTP/1.1 1")) {
                responseHead = readHead(upstreamIn);
            }
            if (responseHead == null) {
                return;
            }
            out.write(withConnectionClose(responseHead).getBytes(StandardCharsets.ISO_8859_1));
            upstreamIn.transferTo(out);
            out.flush();
        }
    }

    /** Reads a request or response head up to and including the blank line, or returns null at end of stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static String withConnectionClose(String head) {
        StringBuilder result = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                result.append(line).append("\r\n");
            }
        }
        return result.append("Connection: close\r\n\r\n").toString();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        executor.shutdownNow();
    }
}
