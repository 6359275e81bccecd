-- Platform administrators read the signing key ring and rotate it through the API
-- (GET /api/v1/signingkeys, POST /api/v1/signingkeys/rotate).
UPDATE roles SET scopes = jsonb_set(scopes, '{global,identity:signingkeys}', '["create","read"]') WHERE name = 'platform-administrator';
