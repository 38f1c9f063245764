-- Lists grown old (made_at at or before RelatedMaxAge ago, or 0 when a
-- newer article marked them) are found through this index: serve looks
-- for them every 15 seconds, and without it read every published
-- article's list to find that none was old.
CREATE INDEX related_kept_made_at ON related_kept (made_at);
