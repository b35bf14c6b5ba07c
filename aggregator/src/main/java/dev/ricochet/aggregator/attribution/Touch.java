package dev.ricochet.aggregator.attribution;

/**
 * One real click on a visitor's path to a conversion.
 *
 * @param clickId       printed click id.
 * @param timeMs        when it happened.
 * @param partnerNumber partner of the link clicked.
 */
public record Touch(String clickId, long timeMs, int partnerNumber)
{
}
