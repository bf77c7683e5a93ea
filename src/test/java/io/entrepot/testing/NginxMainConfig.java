package io.entrepot.testing;

import java.nio.file.Path;

/** The main-context part of an nginx configuration, for running nginx as an unprivileged child with its files under one directory. */
public final class NginxMainConfig {

    private NginxMainConfig() {}

    /** Returns a main configuration whose http block includes {@code httpInclude}, with every path under {@code directory}. */
    public static String wrapping(Path directory, Path httpInclude) {
        return """
                error_log %1$s/error.log info;
                pid %1$s/nginx.pid;
                worker_processes 2;
                events { worker_connections 1024; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    include %2$s;
                }
                """.formatted(directory, httpInclude);
    }
}
