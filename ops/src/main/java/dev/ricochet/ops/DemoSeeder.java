package dev.ricochet.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Seeds the demo program through the public admin API, exactly as an operator's script would, and prints commands
 * to try. Only what is missing is created: a program, partner or link that exists (edited since, perhaps) is kept as
 * it is, and the output says so.
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

    /**
     * A browser's user agent for the printed clicks: curl's own ({@code curl/8.5.0}) is counted as a bot click.
     */
    static final String BROWSER_USER_AGENT = "Mozilla/5.0 Firefox/128.0";

    private final HttpClient client = HttpClient.newHttpClient();
    private final int trackerPort;
    private final String adminBase;
    private final String token;
    private final LocalDate today;

    DemoSeeder(final int trackerPort, final int adminPort, final String token, final LocalDate today)
    {
        this.trackerPort = trackerPort;
        this.adminBase = "http://127.0.0.1:" + adminPort + "/v1/";
        this.token = token;
        this.today = today;
    }

    void seed(final PrintStream out) throws IOException, InterruptedException
    {
        final List<String> created = new ArrayList<>();
        final List<String> kept = new ArrayList<>();
        putIfMissing("programs/demo", PROGRAM, "program demo", created, kept);
        for (final String[] partner : PARTNERS)
        {
            putIfMissing("partners/" + partner[0],
                "{\"programId\":\"demo\",\"name\":\"" + partner[1] + "\",\"email\":\"" + partner[2] + "\"}",
                "partner " + partner[0], created, kept);
        }
        for (final String[] link : LINKS)
        {
            putIfMissing("links/" + link[0], "{\"partnerId\":\"" + link[1] + "\",\"destination\":\"" + link[2] + "\"}",
                "link " + link[0], created, kept);
        }

        out.println();
        if (!created.isEmpty())
        {
            out.println("ricochet: demo: created " + String.join(", ", created));
        }
        if (!kept.isEmpty())
        {
            out.println("ricochet: demo: kept as they are (existing, your edits included): " + String.join(", ", kept) +
                "; delete the data directory to start the demo afresh");
        }
        final String admin = adminBase.replace("127.0.0.1", "localhost");
        out.println("ricochet: demo program 'demo' with partners alice, bob, carol. Click a link as a shopper would");
        out.println("  (with a browser's user agent: curl's own is counted as a bot click, under botClicks):");
        for (final String[] link : LINKS)
        {
            out.println("  curl -si -A '" + BROWSER_USER_AGENT + "' http://localhost:" + trackerPort + "/r/" + link[0]);
        }
        out.println("Then read alice's clicks today (UTC; reports show a click within a moment, once committed):");
        out.println("  curl -s -H 'Authorization: Bearer " + token + "' '" + admin +
            "partners/alice/stats?from=" + today + "&to=" + today + "'");
        out.flush();
    }

    private void putIfMissing(final String path, final String json, final String name, final List<String> created,
        final List<String> kept) throws IOException, InterruptedException
    {
        final HttpResponse<String> existing = client.send(request(path).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (200 == existing.statusCode())
        {
            kept.add(name);
            return;
        }
        if (404 != existing.statusCode())
        {
            throw new IOException("GET " + path + " answered " + existing.statusCode() + ": " + existing.body());
        }
        final HttpResponse<String> response = client.send(
            request(path)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        if (200 != response.statusCode())
        {
            throw new IOException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        created.add(name);
    }

    private HttpRequest.Builder request(final String path)
    {
        return HttpRequest.newBuilder(URI.create(adminBase + path)).header("Authorization", "Bearer " + token);
    }
}
