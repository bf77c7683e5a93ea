package io.entrepot.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends one HTTP/1.1 request with the request target exactly as given. Java's HttpClient
 * normalises paths such as {@code a/../b} before sending, which would hide how the server
 * treats them.
 */
public final class RawHttp {

    /** A response: status code, the raw header block and the body. */
    public record Response(int status, String headers, String body) {}

    private RawHttp() {}

    public static Response send(int port, String method, String target, byte[] body) throws IOException {
        return send(port, method, target, body, new String[0]);
    }

    /** Sends a request with extra {@code requestHeaders}, which alternate names and values. */
    public static Response send(int port, String method, String target, byte[] body, String... requestHeaders) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder extra = new StringBuilder();
            for (int i = 0; i < requestHeaders.length; i += 2) {
                extra.append(requestHeaders[i]).append(": ").append(requestHeaders[i + 1]).append("\r\n");
            }
            String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
                    + extra + "Content-Length: " + (body == null ? 0 : body.length) + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            String response = new String(readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);
            int split = response.indexOf("\r\n\r\n");
            String headers = split < 0 ? response : response.substring(0, split);
            String responseBody = split < 0 ? "" : response.substring(split + 4);
            int status = Integer.parseInt(headers.substring(9, 12));
            return new Response(status, headers, responseBody);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        in.transferTo(buffer);
        return buffer.toByteArray();
    }
}
