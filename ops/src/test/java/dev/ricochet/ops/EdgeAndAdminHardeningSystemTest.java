package dev.ricochet.ops;

import dev.ricochet.ingest.test.RawHttp;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole service, admin API to edge: a program may use a utm_* name as its click parameter and the Location then
 * carries it once; the admin API refuses the same ambiguous requests as the edge (docs/edge.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeAndAdminHardeningSystemTest
{
    @TempDir
    static Path dataDir;

    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private ServiceFixture service;

    @BeforeAll
    void startService() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        service.admin.putOk("/v1/programs/utm", "{\"name\":\"Utm\",\"currency\":\"USD\",\"clickParam\":\"utm_id\"," +
            "\"tiers\":[{\"name\":\"base\",\"commissionPercent\":\"10\"}],\"secrets\":{}}");
        service.admin.putOk("/v1/partners/p", "{\"programId\":\"utm\",\"name\":\"P\",\"status\":\"active\"}");
        service.admin.putOk("/v1/links/l",
            "{\"partnerId\":\"p\",\"destination\":\"https://shop.example/landing?utm_id=MERCHANT&ref=x\"}");
    }

    @AfterAll
    void stopService()
    {
        service.close();
    }

    @Test
    void acceptsAUtmClickParameterAndRedirectsWithItOnceWhateverTheRequestAndDestinationSay() throws Exception
    {
        final HttpResponse<Void> response = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + service.tracker.port() + "/r/l?utm_id=FORGED&utm_source=mail"))
            .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0").build(),
            HttpResponse.BodyHandlers.discarding());

        assertEquals(302, response.statusCode());
        final String location = response.headers().firstValue("location").orElseThrow();
        assertTrue(location.matches("https://shop\\.example/landing\\?ref=x&utm_id=[-0-9A-Za-z_]{22}&utm_source=mail"),
            location);
    }

    @Test
    void refusesAnAdminRequestWithoutHostOrWithTwo() throws Exception
    {
        final String missing = admin("GET /v1/programs/utm HTTP/1.1\r\nAuthorization: Bearer " +
            ServiceFixture.ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n");
        final String twice = admin("GET /v1/programs/utm HTTP/1.1\r\nHost: a\r\nHost: b\r\nAuthorization: Bearer " +
            ServiceFixture.ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n");

        assertEquals(400, RawHttp.status(missing), missing);
        assertEquals(400, RawHttp.status(twice), twice);
    }

    @Test
    void refusesAnAdminRequestWhoseHostIsNotAHostAndPort() throws Exception
    {
        final String joined = admin("GET /v1/programs/utm HTTP/1.1\r\nHost: a, b\r\nAuthorization: Bearer " +
            ServiceFixture.ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n");
        final String userinfo = admin("GET /v1/programs/utm HTTP/1.1\r\nHost: u@a\r\nAuthorization: Bearer " +
            ServiceFixture.ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n");

        final String badPort = admin("GET /v1/programs/utm HTTP/1.1\r\nHost: a:99999x\r\nAuthorization: Bearer " +
            ServiceFixture.ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n");

        assertEquals(400, RawHttp.status(joined), joined);
        assertEquals(400, RawHttp.status(userinfo), userinfo);
        assertEquals(400, RawHttp.status(badPort), badPort);
    }

    @Test
    void refusesAnAdminWriteWithATransferCodingOtherThanChunkedWith501AndAppliesNothing() throws Exception
    {
        final String body = "{\"partnerId\":\"p\",\"destination\":\"https://shop.example/gz\"}";
        final String answer = admin("PUT /v1/links/gz HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " +
            ServiceFixture.ADMIN_TOKEN + "\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n" +
            Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n");

        assertEquals(501, RawHttp.status(answer), answer);
        assertEquals(404, service.admin.get("/v1/links/gz").statusCode());
    }

    @Test
    void refusesAnAdminRequestOfAnotherHttpVersionWith505() throws Exception
    {
        final String answer = admin("GET /v1/programs/utm HTTP/3.0\r\nHost: a\r\nAuthorization: Bearer " +
            ServiceFixture.ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n");

        assertEquals(505, RawHttp.status(answer), answer);
    }

    @Test
    void takesAnAdminClientLeavingMidBodyAsAClientLeavingNotAnError() throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", service.aggregator.adminPort()))
        {
            socket.getOutputStream().write(("PUT /v1/links/gone HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " +
                ServiceFixture.ADMIN_TOKEN + "\r\nContent-Length: 100\r\n\r\n{").getBytes(
                StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.setSoLinger(true, 0); // then leaves: a reset
        }
        // The admin API has one I/O thread: a connection accepted after the reset is read, and its request answered,
        // only after that thread has handled the reset and the closed channel's events.
        assertEquals(200, service.admin.get("/v1/programs/utm").statusCode());

        assertEquals(List.of(), List.copyOf(service.aggregatorErrors));
    }

    @Test
    void refusesAnAdminRequestWithTwoAuthorizationHeaders() throws Exception
    {
        final String answer = admin("GET /v1/programs/utm HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " +
            ServiceFixture.ANALYST_TOKEN + "\r\nAuthorization: Bearer " + ServiceFixture.ADMIN_TOKEN +
            "\r\nConnection: close\r\n\r\n");

        assertEquals(400, RawHttp.status(answer), answer);
    }

    @Test
    void refusesAReportQueryParameterGivenTwiceOrHiddenBehindASemicolon() throws Exception
    {
        final HttpResponse<String> twice = service.admin.get("/v1/partners/p/timeline?limit=1&limit=1000");
        final HttpResponse<String> semicolon = service.admin.get("/v1/partners/p/timeline?limit=1;limit=1000");

        assertEquals(400, twice.statusCode(), twice.body());
        assertEquals(400, semicolon.statusCode(), semicolon.body());
    }

    @Test
    void refusesHeadOnAWriteEndpointWith405() throws Exception
    {
        final String answer = admin("HEAD /v1/programs/utm/payout-runs HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " +
            ServiceFixture.ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n");

        assertEquals(405, RawHttp.status(answer), answer);
    }

    private String admin(final String request) throws Exception
    {
        return RawHttp.exchange(service.aggregator.adminPort(), request);
    }
}
