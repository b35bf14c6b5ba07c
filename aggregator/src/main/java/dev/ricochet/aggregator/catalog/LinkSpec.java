package dev.ricochet.aggregator.catalog;

/**
 * A link as the admin API accepts it ({@code PUT /v1/links/{code}}); the program is the partner's.
 *
 * @param partnerId   partner credited with the link's clicks.
 * @param destination absolute http(s) URL the shopper lands on.
 */
public record LinkSpec(String partnerId, String destination)
{
}
