package dev.ricochet.benchmarks.load;

/**
 * Why a request did not get the answer the contract promises; any one of them makes a run NOT A RESULT.
 */
enum ErrorKind
{
    STATUS("status", "unexpected status"),
    MISSING_LOCATION("missing-location", "302 without a Location"),
    WRONG_LOCATION("wrong-location", "Location not the link's destination"),
    MISSING_CLICK_ID("missing-click-id", "Location without a valid click id"),
    WRONG_CONTENT_TYPE("wrong-content-type", "pixel not image/gif"),
    NOT_ACCEPTED("not-accepted", "conversion answered 2xx but not accepted"),
    MALFORMED_RESPONSE("malformed-response", "response the decoder rejected or nobody asked for"),
    CONNECTION("connection", "connect failed or connection lost mid-request"),
    TIMEOUT("timeout", "no answer within the timeout, or waited past it to be sent");

    private final String label;
    private final String description;

    ErrorKind(final String label, final String description)
    {
        this.label = label;
        this.description = description;
    }

    String label()
    {
        return label;
    }

    String description()
    {
        return description;
    }
}
