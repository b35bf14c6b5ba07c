package dev.ricochet.aggregator.admin;

/**
 * The one rule for text a person reads in a list, the dashboard or the audit trail and that the API did not write
 * itself (a token's name, an applicant's name and answers): no control character (a line break only where a field
 * allows several lines), no format character (a bidirectional override or zero-width character would disguise the
 * text: "\u202Egnp.exe"), no unassigned, private-use, lone surrogate, line or paragraph separator code point.
 */
final class DisplayText
{
    private DisplayText()
    {
    }

    /**
     * @param text           the text, not null.
     * @param allowsNewlines whether a line feed is allowed (a multi-line answer).
     * @return true if every code point of the text may be shown as it is.
     */
    static boolean isPrintable(final String text, final boolean allowsNewlines)
    {
        return isPrintable(text, allowsNewlines, false);
    }

    /**
     * @param text           the text, not null.
     * @param allowsNewlines whether a line feed is allowed (a multi-line answer).
     * @param allowsJoiners  whether the zero-width non-joiner and joiner (U+200C, U+200D) are allowed: Persian and
     *                       Indic names need them, emoji sequences use them; never in an identifier such as an email.
     * @return true if every code point of the text may be shown as it is.
     */
    static boolean isPrintable(final String text, final boolean allowsNewlines, final boolean allowsJoiners)
    {
        return text.codePoints().allMatch(c ->
        {
            if ('\n' == c)
            {
                return allowsNewlines;
            }
            if (0x200C == c || 0x200D == c)
            {
                return allowsJoiners;
            }
            final int type = Character.getType(c);
            return !Character.isISOControl(c) && type != Character.FORMAT && type != Character.UNASSIGNED &&
                type != Character.SURROGATE && type != Character.PRIVATE_USE && type != Character.LINE_SEPARATOR &&
                type != Character.PARAGRAPH_SEPARATOR;
        });
    }
}
