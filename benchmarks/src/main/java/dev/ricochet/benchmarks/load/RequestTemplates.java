package dev.ricochet.benchmarks.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The browser requests the harness sends, encoded once: the header block of a Chrome navigation and of a Chrome
 * image load, the referers, the pixel's request lines. Per request only the link's request line and the visitor
 * cookie are picked, and the parts are copied into one pooled buffer, so sending costs no encoding and no garbage.
 */
final class RequestTemplates
{
    static final String CHROME_USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " +
        "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    static final String DEFAULT_PAGE = "https://shop.example.com/";

    /**
     * Where partner links are clicked: a link keeps one referer, as a link lives in one post, video or newsletter.
     */
    private static final String[] CLICK_REFERERS =
        {
            "https://www.instagram.com/",
            "https://www.youtube.com/",
            "https://t.co/",
            "https://www.facebook.com/",
            "https://www.google.com/",
            "https://trailnotes.example-blog.com/best-tents-2026/",
        };
    private static final int MAX_PIXEL_PAGES = 256;
    private static final byte[] CRLF = { '\r', '\n' };

    private final byte[] navigationHeaders;
    private final byte[] imageHeaders;
    private final byte[][] refererLines;
    private final byte[][] pixelLines;
    private final byte[][] pixelRefererLines;

    /**
     * @param hostHeader value of the Host header, {@code host:port}.
     * @param links      the links; the pixel fires on the pages their destinations land on.
     */
    RequestTemplates(final String hostHeader, final List<LinkTarget> links)
    {
        final String clientHints =
            "sec-ch-ua: \"Google Chrome\";v=\"131\", \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n" +
            "sec-ch-ua-mobile: ?0\r\n" +
            "sec-ch-ua-platform: \"Windows\"\r\n";
        // A top-level navigation: the Sec-Fetch-* values are what makes the edge count a click, not a stuffed image.
        navigationHeaders = ascii("Host: " + hostHeader + "\r\n" +
            "Connection: keep-alive\r\n" +
            clientHints +
            "Upgrade-Insecure-Requests: 1\r\n" +
            "User-Agent: " + CHROME_USER_AGENT + "\r\n" +
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng," +
            "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n" +
            "Sec-Fetch-Site: cross-site\r\n" +
            "Sec-Fetch-Mode: navigate\r\n" +
            "Sec-Fetch-User: ?1\r\n" +
            "Sec-Fetch-Dest: document\r\n" +
            "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
            "Accept-Language: en-US,en;q=0.9\r\n");
        imageHeaders = ascii("Host: " + hostHeader + "\r\n" +
            "Connection: keep-alive\r\n" +
            clientHints +
            "User-Agent: " + CHROME_USER_AGENT + "\r\n" +
            "Accept: image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8\r\n" +
            "Sec-Fetch-Site: cross-site\r\n" +
            "Sec-Fetch-Mode: no-cors\r\n" +
            "Sec-Fetch-Dest: image\r\n" +
            "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
            "Accept-Language: en-US,en;q=0.9\r\n");

        refererLines = new byte[CLICK_REFERERS.length][];
        for (int i = 0; i < CLICK_REFERERS.length; i++)
        {
            refererLines[i] = ascii("Referer: " + CLICK_REFERERS[i] + "\r\n");
        }

        final Set<String> pages = new LinkedHashSet<>();
        for (final LinkTarget link : links)
        {
            if (pages.size() == MAX_PIXEL_PAGES)
            {
                break;
            }
            if (null != link.destination())
            {
                final int hash = link.destination().indexOf('#');
                pages.add(hash < 0 ? link.destination() : link.destination().substring(0, hash));
            }
        }
        if (pages.isEmpty())
        {
            pages.add(DEFAULT_PAGE);
        }
        final List<String> pageList = new ArrayList<>(pages);
        pixelLines = new byte[pageList.size()][];
        pixelRefererLines = new byte[pageList.size()][];
        for (int i = 0; i < pageList.size(); i++)
        {
            final String page = pageList.get(i);
            pixelLines[i] = ascii("GET /p.gif?e=pageview&url=" + URLEncoder.encode(page, StandardCharsets.UTF_8) +
                " HTTP/1.1\r\n");
            pixelRefererLines[i] = ascii("Referer: " + page + "\r\n");
        }
    }

    int pixelPages()
    {
        return pixelLines.length;
    }

    /**
     * @param alloc      the channel's allocator.
     * @param link       the link clicked.
     * @param linkIndex  the link's position, which picks its referer.
     * @param cookieLine {@code Cookie: ...\r\n}, or null for a browser without the visitor cookie.
     * @return the whole request.
     */
    ByteBuf redirect(final ByteBufAllocator alloc, final LinkTarget link, final int linkIndex, final byte[] cookieLine)
    {
        final byte[] line = link.redirectLine();
        final byte[] referer = refererLines[linkIndex % refererLines.length];
        return assemble(alloc, line, navigationHeaders, referer, cookieLine);
    }

    /**
     * @param alloc      the channel's allocator.
     * @param page       which page fires the pixel, below {@link #pixelPages()}.
     * @param cookieLine {@code Cookie: ...\r\n}, or null.
     * @return the whole request.
     */
    ByteBuf pixel(final ByteBufAllocator alloc, final int page, final byte[] cookieLine)
    {
        return assemble(alloc, pixelLines[page], imageHeaders, pixelRefererLines[page], cookieLine);
    }

    private static ByteBuf assemble(
        final ByteBufAllocator alloc, final byte[] line, final byte[] headers, final byte[] referer,
        final byte[] cookieLine)
    {
        final int cookieLength = null == cookieLine ? 0 : cookieLine.length;
        final ByteBuf request = alloc.ioBuffer(line.length + headers.length + referer.length + cookieLength + 2);
        request.writeBytes(line).writeBytes(headers).writeBytes(referer);
        if (null != cookieLine)
        {
            request.writeBytes(cookieLine);
        }
        return request.writeBytes(CRLF);
    }

    /**
     * @param setCookie a Set-Cookie value, {@code name=value; attributes}.
     * @return the Cookie line a browser sends back, {@code Cookie: name=value\r\n}.
     */
    static byte[] cookieLine(final String setCookie)
    {
        final int semicolon = setCookie.indexOf(';');
        return ascii("Cookie: " + (semicolon < 0 ? setCookie : setCookie.substring(0, semicolon)).trim() + "\r\n");
    }

    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
