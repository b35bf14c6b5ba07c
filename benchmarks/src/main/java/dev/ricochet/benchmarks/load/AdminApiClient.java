package dev.ricochet.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ricochet.ingest.StrictJson;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The admin API over HTTP/1.1 keep-alive connections, driven as an operator's script would: bearer token, JSON.
 */
final class AdminApiClient
{
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    private final String baseUrl;
    private final String token;

    /**
     * @param baseUrl e.g. {@code http://127.0.0.1:8081}.
     * @param token   admin bearer token.
     */
    AdminApiClient(final String baseUrl, final String token)
    {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    /**
     * @param path e.g. {@code /v1/links/abc}.
     * @param json request body.
     * @return the answer, whatever its status.
     */
    CompletableFuture<HttpResponse<String>> putAsync(final String path, final String json)
    {
        return client.sendAsync(request(path)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * @param path e.g. {@code /v1/links/abc}.
     * @return the body of a 200.
     * @throws IOException for any other status, naming it.
     */
    JsonNode getJson(final String path) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = client.send(request(path).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (200 != response.statusCode())
        {
            throw new IOException("GET " + baseUrl + path + " answered " + response.statusCode() + ": " +
                response.body());
        }
        return StrictJson.MAPPER.readTree(response.body());
    }

    private HttpRequest.Builder request(final String path)
    {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(REQUEST_TIMEOUT)
            .header("Authorization", "Bearer " + token);
    }
}
