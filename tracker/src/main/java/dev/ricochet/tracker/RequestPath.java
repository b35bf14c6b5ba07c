package dev.ricochet.tracker;

/**
 * Classifies a request target into one of the edge's routes without regex, split() or decoding.
 *
 * <p>One instance per channel; {@link #parse} returns a route constant and leaves the code and query bounds for the
 * handler. A link code is 1 to 64 characters of {@code [A-Za-z0-9_-]}: anything else (a percent sign, CR, LF, a
 * slash, non-ASCII) is a bad request, so no escaping trick can reach the directory or the Location header.
 */
final class RequestPath
{
    static final int NOT_FOUND = 0;
    static final int CLICK = 1;
    static final int PIXEL = 2;
    static final int HEALTH = 3;
    static final int READY = 4;
    static final int METRICS = 5;
    static final int BAD_LINK_CODE = 6;
    static final int CONVERSIONS = 7;
    static final int POSTBACK = 8;
    static final int STRIPE_WEBHOOK = 9;
    static final int SHOPIFY_WEBHOOK = 10;

    static final int MAX_CODE_LENGTH = 64;

    private static final String CLICK_PREFIX = "/r/";
    private static final String STRIPE_PREFIX = "/webhooks/stripe/";
    private static final String SHOPIFY_PREFIX = "/webhooks/shopify/";

    private String uri;
    private int codeEnd;
    private int programStart;
    private int queryStart;

    int parse(final String uri)
    {
        this.uri = uri;
        final int question = uri.indexOf('?');
        final int pathEnd = question < 0 ? uri.length() : question;
        queryStart = question < 0 ? uri.length() : question + 1;

        if (uri.startsWith(CLICK_PREFIX))
        {
            codeEnd = pathEnd;
            return isValidCode(uri, CLICK_PREFIX.length(), pathEnd) ? CLICK : BAD_LINK_CODE;
        }
        if (uri.startsWith(STRIPE_PREFIX))
        {
            return webhook(uri, STRIPE_PREFIX, pathEnd, STRIPE_WEBHOOK);
        }
        if (uri.startsWith(SHOPIFY_PREFIX))
        {
            return webhook(uri, SHOPIFY_PREFIX, pathEnd, SHOPIFY_WEBHOOK);
        }
        if (matches(uri, pathEnd, "/p.gif"))
        {
            return PIXEL;
        }
        if (matches(uri, pathEnd, "/healthz"))
        {
            return HEALTH;
        }
        if (matches(uri, pathEnd, "/readyz"))
        {
            return READY;
        }
        if (matches(uri, pathEnd, "/metrics"))
        {
            return METRICS;
        }
        if (matches(uri, pathEnd, "/v1/conversions"))
        {
            return CONVERSIONS;
        }
        if (matches(uri, pathEnd, "/postback"))
        {
            return POSTBACK;
        }
        return NOT_FOUND;
    }

    /**
     * @return the program id of a webhook route.
     */
    String programId()
    {
        return uri.substring(programStart, codeEnd);
    }

    private int webhook(final String uri, final String prefix, final int pathEnd, final int route)
    {
        programStart = prefix.length();
        codeEnd = pathEnd;
        // Program ids follow the same rule as link codes; anything else cannot name a program.
        return isValidCode(uri, programStart, pathEnd) ? route : NOT_FOUND;
    }

    String code()
    {
        return uri.substring(CLICK_PREFIX.length(), codeEnd);
    }

    String query()
    {
        return uri.substring(queryStart);
    }

    /**
     * @return the request target last parsed, which holds the code and query at the bounds below.
     */
    String uri()
    {
        return uri;
    }

    int codeStart()
    {
        return CLICK_PREFIX.length();
    }

    int codeEnd()
    {
        return codeEnd;
    }

    int queryStart()
    {
        return queryStart;
    }

    static boolean isValidCode(final CharSequence text, final int start, final int end)
    {
        final int length = end - start;
        if (length < 1 || length > MAX_CODE_LENGTH)
        {
            return false;
        }
        for (int i = start; i < end; i++)
        {
            final char c = text.charAt(i);
            final boolean valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_';
            if (!valid)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(final String uri, final int pathEnd, final String path)
    {
        return pathEnd == path.length() && uri.startsWith(path);
    }
}
