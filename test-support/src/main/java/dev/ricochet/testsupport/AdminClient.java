package dev.ricochet.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Drives the admin API over HTTP the way an operator's script does.
 */
public final class AdminClient
{
    public static final String API_KEY = "test-program-api-key";
    public static final String STRIPE_SECRET = "whsec_test_system_0123456789";
    /** The content type of a JSON Merge Patch (RFC 7396), which {@code PATCH} takes (part 8 item 2). */
    public static final String MERGE_PATCH = "application/merge-patch+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final int port;
    private final String token;

    public AdminClient(final int port, final String token)
    {
        this.port = port;
        this.token = token;
    }

    public HttpResponse<String> put(final String path, final String json) throws IOException, InterruptedException
    {
        return send(builder(path).PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return send(builder(path).GET());
    }

    public HttpResponse<String> post(final String path, final String json) throws IOException, InterruptedException
    {
        return send(builder(path).POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    // Part 8 item 2: partial updates and conditional writes.

    /**
     * {@code PATCH} with a JSON Merge Patch body.
     *
     * @param headers name, value pairs set on the request ({@code "If-Match", tag}); a {@code Content-Type} among them
     *                replaces the merge-patch one.
     */
    public HttpResponse<String> patch(final String path, final String json, final String... headers)
        throws IOException, InterruptedException
    {
        return send(withHeaders(builder(path).setHeader("Content-Type", MERGE_PATCH), headers)
            .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    /**
     * {@code PUT} with request headers ({@code "If-Match", tag} or {@code "If-None-Match", "*"}).
     */
    public HttpResponse<String> put(final String path, final String json, final String... headers)
        throws IOException, InterruptedException
    {
        return send(withHeaders(builder(path), headers).PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /**
     * @return the {@code ETag} of the resource as read now (fails unless the read answers 200 with one).
     */
    public String etag(final String path) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = get(path);
        if (200 != response.statusCode())
        {
            throw new AssertionError("GET " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return response.headers().firstValue("ETag")
            .orElseThrow(() -> new AssertionError("GET " + path + " answered no ETag"));
    }

    private static HttpRequest.Builder withHeaders(final HttpRequest.Builder builder, final String... headers)
    {
        if (0 != headers.length % 2)
        {
            throw new IllegalArgumentException("headers come as name, value pairs");
        }
        for (int i = 0; i < headers.length; i += 2)
        {
            builder.setHeader(headers[i], headers[i + 1]);
        }
        return builder;
    }

    public String getOk(final String path) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = get(path);
        if (200 != response.statusCode())
        {
            throw new AssertionError("GET " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    public JsonNode getJson(final String path) throws IOException, InterruptedException
    {
        return JSON.readTree(getOk(path));
    }

    public void putOk(final String path, final String json) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = put(path, json);
        if (200 != response.statusCode())
        {
            throw new AssertionError("PUT " + path + " -> " + response.statusCode() + " " + response.body());
        }
    }

    public HttpResponse<String> send(final HttpRequest.Builder builder) throws IOException, InterruptedException
    {
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpRequest.Builder builder(final String path)
    {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        return null == token ? builder : builder.header("Authorization", "Bearer " + token);
    }

    /**
     * A partner of the program (active, no email), then its links, each to the shop's item page.
     *
     * @param name a plain name (written into the JSON as is).
     */
    public void seedPartner(
        final String programId, final String partnerId, final String name, final String... linkCodes)
        throws IOException, InterruptedException
    {
        putOk("/v1/partners/" + partnerId, "{\"programId\":\"" + programId + "\",\"name\":\"" + name + "\"}");
        for (final String code : linkCodes)
        {
            seedLink(code, partnerId);
        }
    }

    /**
     * A link of the partner to the shop's item page.
     */
    public void seedLink(final String code, final String partnerId) throws IOException, InterruptedException
    {
        putOk("/v1/links/" + code,
            "{\"partnerId\":\"" + partnerId + "\",\"destination\":\"https://shop.example.com/item\"}");
    }

    public void seedProgram(final String programId, final int partners, final int linksPerPartner)
        throws IOException, InterruptedException
    {
        putOk("/v1/programs/" + programId, "{\"name\":\"Test program\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]," +
            "\"secrets\":{\"apiKey\":\"" + API_KEY + "\",\"postback\":\"test-postback-secret\"," +
            "\"stripe\":\"" + STRIPE_SECRET + "\"}}");
        for (int p = 0; p < partners; p++)
        {
            putOk("/v1/partners/partner" + p,
                "{\"programId\":\"" + programId + "\",\"name\":\"Partner " + p + "\",\"status\":\"active\"}");
            for (int l = 0; l < linksPerPartner; l++)
            {
                putOk("/v1/links/p" + p + "-l" + l,
                    "{\"partnerId\":\"partner" + p + "\",\"destination\":\"https://shop.example.com/item/" + l + "\"}");
            }
        }
    }
}
