package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Applications and the admin's decisions (issue 17, item 3), and the tier pin routes (item 5), on the real service
 * over HTTP: the public apply endpoint of a program with its own fields, its limits, approve and reject.
 *
 * <p>Program club takes applications; it asks for a website (text, required), an audience (choice) and keeps an
 * internal score (number) that is not on the form. Program shut takes none.
 */
class ApplicationsSystemTest
{
    private static final Instant START = Instant.parse("2026-03-10T10:15:00Z");
    private static final String APPLY = "/v1/programs/club/applications";

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicLong clock = new AtomicLong(START.toEpochMilli());
    private ServiceFixture service;
    private AdminClient admin;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        admin = service.admin;
        admin.putOk("/v1/programs/club", "{\"name\":\"Club\",\"currency\":\"USD\"," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"gold\",\"minRevenue\":100000,\"commissionPercent\":\"20\"}]," +
            "\"applications\":{\"open\":true},\"attributes\":[" +
            "{\"name\":\"website\",\"type\":\"text\",\"required\":true,\"application\":true}," +
            "{\"name\":\"audience\",\"type\":\"choice\",\"choices\":[\"us\",\"eu\"],\"application\":true}," +
            "{\"name\":\"score\",\"type\":\"number\"}]}");
        admin.putOk("/v1/programs/shut", "{\"name\":\"Shut\",\"currency\":\"USD\"}");
    }

    @AfterEach
    void stop()
    {
        service.close();
    }

    @Test
    void shouldLandAnApplicationAsAPendingPartnerAndAnswerOnlyItsId() throws Exception
    {
        // When someone without a token applies
        final HttpResponse<String> response = apply(APPLY, application("jo@example.com", "\"audience\":\"eu\""));

        // Then the answer is 202 with the application's id only, and the id is a pending partner that applied
        assertEquals(202, response.statusCode(), response.body());
        final JsonNode answer = json.readTree(response.body());
        final String id = answer.get("applicationId").asText();
        final JsonNode partner = admin.getJson("/v1/partners/" + id);
        final JsonNode events = admin.getJson("/v1/partners/" + id + "/timeline").get("events");
        assertAll(
            () -> assertEquals(1, answer.size(), response.body()),
            () -> assertTrue(id.matches("app_[0-9a-f]{24}"), id),
            () -> assertEquals("pending", partner.get("status").asText()),
            () -> assertEquals("jo@example.com", partner.get("email").asText()),
            () -> assertEquals("partner.applied", events.get(0).get("type").asText()));
    }

    @Test
    void shouldAnswer404ForAProgramClosedToApplicationsOrUnknownAlike() throws Exception
    {
        // When applications are sent to a closed program and to no program
        final HttpResponse<String> closed = apply("/v1/programs/shut/applications", application("a@example.com", ""));
        final HttpResponse<String> unknown = apply("/v1/programs/nope/applications", application("a@example.com", ""));

        // Then both are the same 404
        assertAll(
            () -> assertEquals(404, closed.statusCode(), closed.body()),
            () -> assertEquals(404, unknown.statusCode(), unknown.body()),
            () -> assertEquals(closed.body().replace("shut", "nope"), unknown.body()));
    }

    @Test
    void shouldRefuseAnApplicationThatDoesNotFitTheProgramsFormNamingTheField() throws Exception
    {
        // When applications with each kind of wrong field are sent
        final HttpResponse<String> unknownField = apply(APPLY, "{\"name\":\"Jo\",\"email\":\"jo@example.com\"," +
            "\"status\":\"active\",\"attributes\":{\"website\":\"https://jo.example\"}}");
        final HttpResponse<String> notOnTheForm = apply(APPLY, application("jo@example.com", "\"score\":99"));
        final HttpResponse<String> notAChoice = apply(APPLY, application("jo@example.com", "\"audience\":\"mars\""));
        final HttpResponse<String> missing = apply(APPLY, "{\"name\":\"Jo\",\"email\":\"jo@example.com\"}");
        final HttpResponse<String> noEmail = apply(APPLY, "{\"name\":\"Jo\",\"attributes\":{\"website\":\"w\"}}");
        final HttpResponse<String> notJson = send(HttpRequest.newBuilder(uri(APPLY))
            .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("name=Jo")));
        final HttpResponse<String> tooLarge = apply(APPLY, application("jo@example.com",
            "\"audience\":\"" + "x".repeat(20_000) + "\""));

        // Then each is refused, naming what is wrong
        assertAll(
            () -> assertRefused(unknownField, 400, "status"),
            () -> assertRefused(notOnTheForm, 400, "attributes.score is not a field of this program's application"),
            () -> assertRefused(notAChoice, 400, "attributes.audience must be one of [us, eu]"),
            () -> assertRefused(missing, 400, "attributes.website is required"),
            () -> assertRefused(noEmail, 400, "email is required"),
            () -> assertRefused(notJson, 415, "application/json"),
            () -> assertRefused(tooLarge, 413, "16384 bytes"));
    }

    @Test
    void shouldAnswerARepeatedEmailAlikeWithoutASecondPartner() throws Exception
    {
        // Given jo applied
        final HttpResponse<String> first = apply(APPLY, application("jo@example.com", ""));

        // When the same email applies again, in other letter case
        final HttpResponse<String> again = apply(APPLY, application("JO@example.com", ""));

        // Then the answer looks the same, but there is no second partner
        final String againId = json.readTree(again.body()).get("applicationId").asText();
        assertAll(
            () -> assertEquals(202, first.statusCode()),
            () -> assertEquals(202, again.statusCode()),
            () -> assertTrue(againId.matches("app_[0-9a-f]{24}"), again.body()),
            () -> assertEquals(404, admin.get("/v1/partners/" + againId).statusCode()));
    }

    @Test
    void shouldRefuseAnAddressPastItsRateWith429AndRetryAfterUntilItRefills() throws Exception
    {
        // Given one address has sent its 10 applications at once
        for (int i = 0; i < 10; i++)
        {
            assertEquals(202, apply(APPLY, application("a" + i + "@example.com", "")).statusCode());
        }

        // When it sends an 11th now, and another 6 seconds later
        final HttpResponse<String> eleventh = apply(APPLY, application("b@example.com", ""));
        clock.addAndGet(6_000);
        final HttpResponse<String> later = apply(APPLY, application("c@example.com", ""));

        // Then the 11th waits for the refill, which the next one gets
        assertAll(
            () -> assertRefused(eleventh, 429, "from this address"),
            () -> assertEquals("6", eleventh.headers().firstValue("Retry-After").orElse(null)),
            () -> assertEquals(202, later.statusCode(), later.body()));
    }

    @Test
    void shouldRefuseAProgramPastItsRateWhateverTheAddresses() throws Exception
    {
        // Given six addresses have sent 50 applications between them, none past its own limit
        int sent = 0;
        for (int address = 2; address < 8 && sent < 50; address++)
        {
            for (int i = 0; i < 9 && sent < 50; i++, sent++)
            {
                assertEquals(202, rawApply("127.0.0." + address, "p" + sent + "@example.com"), "application " + sent);
            }
        }

        // When a seventh address sends its first
        final int fresh = rawApply("127.0.0.9", "late@example.com");

        // Then the program's own limit refuses it
        assertEquals(429, fresh);
    }

    @Test
    void shouldApproveAPendingPartnerOnceAndNameItsStatusAfterwards() throws Exception
    {
        // Given jo applied
        final String id = applicationId(apply(APPLY, application("jo@example.com", "")));

        // When the admin approves jo twice
        final HttpResponse<String> approved = admin.post("/v1/partners/" + id + "/approve",
            "{\"reason\":\"great content\"}");
        final HttpResponse<String> again = admin.post("/v1/partners/" + id + "/approve", "");

        // Then jo is active with the reason, and the second approval is a conflict naming her status
        final JsonNode partner = json.readTree(approved.body());
        assertAll(
            () -> assertEquals(200, approved.statusCode(), approved.body()),
            () -> assertEquals("active", partner.get("status").asText()),
            () -> assertEquals("great content", partner.get("statusReason").asText()),
            () -> assertRefused(again, 409, "is active, not pending"));
    }

    @Test
    void shouldRejectAPendingPartnerOnlyWithAReason() throws Exception
    {
        // Given jo applied
        final String id = applicationId(apply(APPLY, application("jo@example.com", "")));

        // When the admin rejects jo without a reason, then with one
        final HttpResponse<String> noReason = admin.post("/v1/partners/" + id + "/reject", "{}");
        final HttpResponse<String> rejected = admin.post("/v1/partners/" + id + "/reject",
            "{\"reason\":\"no audience in our market\"}");

        // Then only the second applies, and the timeline tells it
        final JsonNode events = admin.getJson("/v1/partners/" + id + "/timeline").get("events");
        assertAll(
            () -> assertRefused(noReason, 400, "reason is required"),
            () -> assertEquals(200, rejected.statusCode(), rejected.body()),
            () -> assertEquals("{\"from\":\"pending\",\"to\":\"rejected\",\"reason\":\"no audience in our market\"}",
                events.get(0).get("data").toString()));
    }

    @Test
    void shouldPinAndUnpinATierThroughItsRoutes() throws Exception
    {
        // Given ann, in bronze
        admin.putOk("/v1/partners/ann", "{\"programId\":\"club\",\"name\":\"Ann\",\"email\":\"ann@example.com\"," +
            "\"attributes\":{\"website\":\"https://ann.example\"}}");

        // When the admin pins her to gold and then removes the pin
        final HttpResponse<String> pinned = admin.post("/v1/partners/ann/tier-pin",
            "{\"tier\":\"gold\",\"reason\":\"launch partner\"}");
        final HttpResponse<String> unpinned = admin.send(admin.builder("/v1/partners/ann/tier-pin").DELETE());

        // Then she was gold with the pin, is bronze again without it, and her other fields are as they were
        final List<String> types = new ArrayList<>();
        admin.getJson("/v1/partners/ann/timeline").get("events").forEach(e -> types.add(e.get("type").asText()));
        assertAll(
            () -> assertEquals("gold", json.readTree(pinned.body()).get("tier").asText(), pinned.body()),
            () -> assertEquals("bronze", json.readTree(unpinned.body()).get("tier").asText(), unpinned.body()),
            () -> assertTrue(json.readTree(unpinned.body()).get("tierPin").isNull()),
            () -> assertEquals("ann@example.com", json.readTree(unpinned.body()).get("email").asText()),
            () -> assertEquals(List.of("tier.unpinned", "tier.pinned"), types));
    }

    private static String application(final String email, final String moreAttributes)
    {
        return "{\"name\":\"Jo Blogger\",\"email\":\"" + email + "\",\"attributes\":{\"website\":\"https://jo.example\"" +
            (moreAttributes.isEmpty() ? "" : "," + moreAttributes) + "}}";
    }

    /**
     * An application over a socket bound to a local address of 127/8 (Linux answers them all): another client.
     *
     * @return the answer's status.
     */
    private int rawApply(final String from, final String email) throws Exception
    {
        final byte[] body = application(email, "").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket())
        {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", service.aggregator.adminPort()), 5_000);
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            final String head = "POST " + APPLY + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            final InputStream in = socket.getInputStream();
            final String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    private String applicationId(final HttpResponse<String> response) throws Exception
    {
        assertEquals(202, response.statusCode(), response.body());
        return json.readTree(response.body()).get("applicationId").asText();
    }

    private HttpResponse<String> apply(final String path, final String body) throws Exception
    {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> send(final HttpRequest.Builder request) throws Exception
    {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + service.aggregator.adminPort() + path);
    }

    private static void assertRefused(final HttpResponse<String> response, final int status, final String message)
    {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().contains(message), response.body());
    }
}
