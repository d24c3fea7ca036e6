package dev.kiln.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/**
 * The Docker engine this agent talks to: {@code DOCKER_HOST} when set, else the local socket.
 *
 * <p>One client per agent, shared by every build and step: the HTTP client pools its connections,
 * and a step's log stream holds one for as long as the container runs, hence the generous pool.
 * No response timeout: a quiet container's attach stream may sit idle for the step's whole timeout.
 */
public final class DockerEngine implements Closeable {

    private final DockerClient client;
    private final DockerHttpClient http;
    private final String host;

    private DockerEngine(DockerClient client, DockerHttpClient http, String host) {
        this.client = client;
        this.http = http;
        this.host = host;
    }

    /** A client for the engine {@code DOCKER_HOST} names (or the default socket); does not connect. */
    public static DockerEngine fromEnvironment() {
        return of(DefaultDockerClientConfig.createDefaultConfigBuilder().build());
    }

    /** A client for the engine at {@code dockerHost} (e.g. {@code unix:///run/other.sock}); does not connect. */
    public static DockerEngine at(String dockerHost) {
        return of(DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build());
    }

    private static DockerEngine of(DockerClientConfig config) {
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(256)
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        return new DockerEngine(DockerClientImpl.getInstance(config, http), http, config.getDockerHost().toString());
    }

    public boolean reachable() {
        try {
            client.pingCmd().exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public DockerClient client() {
        return client;
    }

    /** The same connections without docker-java's commands: for a step's log, read off the socket as it comes. */
    DockerHttpClient http() {
        return http;
    }

    /** Where the engine is, for messages: "unix:///var/run/docker.sock". */
    public String host() {
        return host;
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
