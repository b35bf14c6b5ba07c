package dev.ricochet.ingest;

/**
 * What the edge needs to answer one partner link: its catalog numbers and a prepared redirect target.
 *
 * <p>Immutable. The destination was validated by the admin API as an absolute http(s) URL without control
 * characters; the edge only ever appends a click id and re-encoded {@code utm_*} values to it, so the Location
 * header can never carry anything the request supplied verbatim.
 */
public final class LinkRoute
{
    private final String code;
    private final int linkId;
    private final int partnerId;
    private final int programId;
    private final String destination;
    private final String clickParam;
    private final String locationPrefix;
    private final String fragment;

    /**
     * @param code        the link code, as in {@code /r/{code}}.
     * @param linkId      catalog number of the link.
     * @param partnerId   catalog number of the partner credited with its clicks.
     * @param programId   catalog number of the partner's program.
     * @param destination absolute http(s) URL the shopper lands on.
     * @param clickParam  query parameter name that carries the click id to the destination.
     */
    public LinkRoute(
        final String code,
        final int linkId,
        final int partnerId,
        final int programId,
        final String destination,
        final String clickParam)
    {
        this.code = code;
        this.linkId = linkId;
        this.partnerId = partnerId;
        this.programId = programId;
        this.destination = destination;
        this.clickParam = clickParam;

        final int hash = destination.indexOf('#');
        final String base = hash < 0 ? destination : destination.substring(0, hash);
        this.fragment = hash < 0 ? "" : destination.substring(hash);
        final char separator = base.indexOf('?') < 0 ? '?' : (base.endsWith("?") || base.endsWith("&") ? 0 : '&');
        this.locationPrefix = (0 == separator ? base : base + separator) + clickParam + "=";
    }

    /**
     * @return the link code.
     */
    public String code()
    {
        return code;
    }

    /**
     * @return catalog number of the link.
     */
    public int linkId()
    {
        return linkId;
    }

    /**
     * @return catalog number of the partner.
     */
    public int partnerId()
    {
        return partnerId;
    }

    /**
     * @return catalog number of the program.
     */
    public int programId()
    {
        return programId;
    }

    /**
     * @return the destination as configured.
     */
    public String destination()
    {
        return destination;
    }

    /**
     * @return the query parameter carrying the click id.
     */
    public String clickParam()
    {
        return clickParam;
    }

    /**
     * @return the destination up to and including {@code clickParam=}, ready for the click id to be appended.
     */
    public String locationPrefix()
    {
        return locationPrefix;
    }

    /**
     * @return the destination's fragment including '#', or empty; it goes after any appended parameters.
     */
    public String fragment()
    {
        return fragment;
    }
}
