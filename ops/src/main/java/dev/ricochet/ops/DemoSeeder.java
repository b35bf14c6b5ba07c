package dev.ricochet.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Seeds the demo program through the public admin API, exactly as an operator's script would, and prints links to
 * try. Upserts only: running the demo twice changes nothing.
 */
final class DemoSeeder
{
    // No hold period and a low minimum in the demo, so the README's walkthrough can pay a commission at once. The
    // fraud checks keep their defaults: the walkthrough's conversion, a second after its click, is held and released.
    private static final String PROGRAM = """
        {"name":"Demo Outdoor Co.","currency":"USD","defaultDestination":"https://shop.example.com/",
         "clickParam":"rcid","attribution":{"model":"last_click","windowDays":30},
         "tiers":[{"name":"bronze","commissionPercent":"10"},
                  {"name":"silver","minConversions":20,"windowDays":60,"commissionPercent":"15"},
                  {"name":"gold","minConversions":50,"minRevenue":1000000,"windowDays":60,"commissionPercent":"20"}],
         "holdDays":0,"minPayout":500,
         "secrets":{"apiKey":"demo-api-key-change-me","postback":"demo-postback-secret"}}""";
    private static final String[][] PARTNERS =
        {
            { "alice", "Alice's Trail Blog", "alice@example.com" },
            { "bob", "Bob Climbs (YouTube)", "bob@example.com" },
            { "carol", "Carol's Newsletter", "carol@example.com" },
        };
    private static final String[][] LINKS =
        {
            { "alice-tents", "alice", "https://shop.example.com/tents?utm_source=alice" },
            { "alice-home", "alice", "https://shop.example.com/" },
            { "bob-ropes", "bob", "https://shop.example.com/climbing/ropes#reviews" },
            { "carol-sale", "carol", "https://shop.example.com/sale?season=spring" },
        };

    private final HttpClient client = HttpClient.newHttpClient();
    private final int trackerPort;
    private final String adminBase;
    private final String token;

    DemoSeeder(final int trackerPort, final int adminPort, final String token)
    {
        this.trackerPort = trackerPort;
        this.adminBase = "http://127.0.0.1:" + adminPort + "/v1/";
        this.token = token;
    }

    void seed(final PrintStream out) throws IOException, InterruptedException
    {
        put("programs/demo", PROGRAM);
        for (final String[] partner : PARTNERS)
        {
            put("partners/" + partner[0],
                "{\"programId\":\"demo\",\"name\":\"" + partner[1] + "\",\"email\":\"" + partner[2] + "\"}");
        }
        for (final String[] link : LINKS)
        {
            put("links/" + link[0], "{\"partnerId\":\"" + link[1] + "\",\"destination\":\"" + link[2] + "\"}");
        }

        out.println();
        out.println("ricochet: demo program 'demo' with partners alice, bob, carol. Try:");
        for (final String[] link : LINKS)
        {
            out.println("  curl -i http://localhost:" + trackerPort + "/r/" + link[0]);
        }
        out.println("  curl -s -H 'Authorization: Bearer " + token + "' " +
            adminBase.replace("127.0.0.1", "localhost") + "partners/alice/stats");
        out.flush();
    }

    private void put(final String path, final String json) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = client.send(
            HttpRequest.newBuilder(URI.create(adminBase + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        if (200 != response.statusCode())
        {
            throw new IOException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
