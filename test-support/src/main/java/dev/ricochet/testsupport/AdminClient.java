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
