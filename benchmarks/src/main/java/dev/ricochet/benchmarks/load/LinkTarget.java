package dev.ricochet.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ricochet.ingest.IdCodec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One partner link as the harness sends and checks it: its pre-encoded request line, and what its redirect's
 * Location must be (the destination, the click id under the click parameter, the destination's fragment last).
 */
final class LinkTarget
{
    /**
     * Every fourth link is followed with campaign parameters, as from a partner's social post: the edge re-encodes
     * them onto the Location, which is part of the work a real click costs.
     */
    static final String CAMPAIGN_QUERY = "?utm_campaign=spring_sale&utm_medium=social";

    private final String code;
    private final String destination;
    private final String clickParam;
    private final String base;
    private final String fragment;
    private final String paramAfterQuestion;
    private final String paramAfterAmpersand;
    private final byte[] redirectLine;

    /**
     * @param index       position in the link list; decides which links carry campaign parameters.
     * @param code        link code, as in {@code /r/{code}}.
     * @param destination where the link redirects to, or null if unknown (only a stand-in target allows that).
     * @param clickParam  query parameter the click id must appear under.
     */
    LinkTarget(final int index, final String code, final String destination, final String clickParam)
    {
        this.code = code;
        this.destination = destination;
        this.clickParam = clickParam;
        final int hash = null == destination ? -1 : destination.indexOf('#');
        this.base = null == destination ? "" : hash < 0 ? destination : destination.substring(0, hash);
        this.fragment = hash < 0 ? "" : destination.substring(hash);
        this.paramAfterQuestion = "?" + clickParam + "=";
        this.paramAfterAmpersand = "&" + clickParam + "=";
        final String path = "/r/" + code + (0 == index % 4 ? CAMPAIGN_QUERY : "");
        this.redirectLine = ("GET " + path + " HTTP/1.1\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    String code()
    {
        return code;
    }

    /**
     * @return the destination, or null if unknown.
     */
    String destination()
    {
        return destination;
    }

    String clickParam()
    {
        return clickParam;
    }

    /**
     * @return {@code GET /r/{code}[?utm_...] HTTP/1.1\r\n}.
     */
    byte[] redirectLine()
    {
        return redirectLine;
    }

    /**
     * @param location the redirect's Location header.
     * @return null if it is this link's destination with a well-formed click id, else what is wrong with it.
     */
    ErrorKind check(final String location)
    {
        if (!location.startsWith(base) || !location.endsWith(fragment))
        {
            return ErrorKind.WRONG_LOCATION;
        }
        return clickIdStart(location) < 0 ? ErrorKind.MISSING_CLICK_ID : null;
    }

    /**
     * @param location a Location that starts with this link's destination.
     * @return where the 22-character click id starts, or -1 if there is none under the click parameter.
     */
    int clickIdStart(final String location)
    {
        // The parameter may follow the destination's own '?' or '&' (a destination ending in '?' adds no separator).
        final int from = Math.max(0, base.length() - 1);
        int at = location.indexOf(paramAfterQuestion, from);
        if (at < 0)
        {
            at = location.indexOf(paramAfterAmpersand, from);
        }
        if (at < 0)
        {
            return -1;
        }
        final int start = at + paramAfterQuestion.length();
        final int end = start + IdCodec.ENCODED_LENGTH;
        if (end > location.length() || !IdCodec.isValid(location, start, end))
        {
            return -1;
        }
        if (end < location.length() && '&' != location.charAt(end) && '#' != location.charAt(end))
        {
            return -1;
        }
        return start;
    }

    /**
     * @param list       {@code code[=destination],...}.
     * @param clickParam click parameter of every link.
     * @return the links, in order.
     */
    static List<LinkTarget> parseList(final String list, final String clickParam)
    {
        final List<LinkTarget> links = new ArrayList<>();
        for (final String item : list.split(","))
        {
            final String entry = item.trim();
            if (entry.isEmpty())
            {
                continue;
            }
            final int equals = entry.indexOf('=');
            final String code = equals < 0 ? entry : entry.substring(0, equals);
            final String destination = equals < 0 ? null : entry.substring(equals + 1);
            links.add(new LinkTarget(links.size(), validCode(code), destination, clickParam));
        }
        if (links.isEmpty())
        {
            throw new IllegalArgumentException("--links names no link");
        }
        return links;
    }

    /**
     * @param file              one link per line: {@code CODE [DESTINATION [CLICK_PARAM]]}; '#' starts a comment.
     * @param defaultClickParam click parameter of lines without one.
     * @return the links, in file order.
     * @throws IOException if the file cannot be read.
     */
    static List<LinkTarget> readFile(final Path file, final String defaultClickParam) throws IOException
    {
        final List<LinkTarget> links = new ArrayList<>();
        int lineNumber = 0;
        for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
        {
            lineNumber++;
            final String text = line.strip();
            if (text.isEmpty() || text.startsWith("#"))
            {
                continue;
            }
            final String[] fields = text.split("\\s+");
            if (fields.length > 3)
            {
                throw new IllegalArgumentException(file + ":" + lineNumber + ": expected CODE [DESTINATION [PARAM]]");
            }
            links.add(new LinkTarget(links.size(), validCode(fields[0]), fields.length > 1 ? fields[1] : null,
                fields.length > 2 ? fields[2] : defaultClickParam));
        }
        if (links.isEmpty())
        {
            throw new IllegalArgumentException(file + " names no link");
        }
        return links;
    }

    /**
     * Fill in the destinations and click parameters of links given without one, from the admin API.
     *
     * @param links links, some without a destination.
     * @param admin the admin API.
     * @return the links with destinations.
     * @throws IOException          if a link or its program cannot be read.
     * @throws InterruptedException if interrupted while waiting for the admin API.
     */
    static List<LinkTarget> resolve(final List<LinkTarget> links, final AdminApiClient admin)
        throws IOException, InterruptedException
    {
        final List<LinkTarget> resolved = new ArrayList<>(links.size());
        final Map<String, String> clickParamByProgram = new HashMap<>();
        for (final LinkTarget link : links)
        {
            if (null != link.destination)
            {
                resolved.add(link);
                continue;
            }
            final JsonNode json = admin.getJson("/v1/links/" + link.code);
            final String destination = json.path("destination").asText(null);
            String programId = json.path("programId").asText(null);
            if (null == programId)
            {
                programId = admin.getJson("/v1/partners/" + json.path("partnerId").asText()).path("programId").asText();
            }
            String clickParam = clickParamByProgram.get(programId);
            if (null == clickParam)
            {
                clickParam = admin.getJson("/v1/programs/" + programId).path("clickParam").asText("rcid");
                clickParamByProgram.put(programId, clickParam);
            }
            resolved.add(new LinkTarget(resolved.size(), link.code, destination, clickParam));
        }
        return resolved;
    }

    private static String validCode(final String code)
    {
        if (code.isEmpty() || code.length() > 64 || !code.matches("[A-Za-z0-9_-]+"))
        {
            throw new IllegalArgumentException("not a link code: '" + code + "' (1-64 of A-Z a-z 0-9 - _)");
        }
        return code;
    }
}
