package dev.ricochet.aggregator.attribution;

/**
 * Names one conversion, or one of its other states in the conversions table ({@link StoredConversion}): an external
 * id is unique within its program (the idempotency key). Replaces the {@code program + "\0" + id} strings of old.
 *
 * @param programNumber catalog number of the program.
 * @param externalId    the id the sender reported.
 */
public record ConversionKey(int programNumber, String externalId)
{
}
