using System.Text.Json;

namespace TypedIpc.Nats.Internal;

/// <summary>
/// JetStream's answer to a publish: <c>{"stream":"…","seq":N}</c> when stored, <c>{"error":{"code":…,"err_code":…,
/// "description":"…"}}</c> when refused. Read with a forward-only reader: a put should not allocate a document.
/// </summary>
internal readonly record struct PublishAck(bool Stored, int? ErrorCode, string? ErrorDescription)
{
    public static PublishAck Parse(byte[]? json)
    {
        if (json is null)
        {
            return default;
        }

        var reader = new Utf8JsonReader(json);
        bool stored = false;
        bool inError = false;
        int? errorCode = null;
        string? description = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == 1)
            {
                inError = true;
            }
            else if (reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.CurrentDepth == 1 && reader.ValueTextEquals("seq"u8))
                {
                    stored = true;
                }
                else if (inError && reader.ValueTextEquals("err_code"u8) && reader.Read())
                {
                    errorCode = reader.GetInt32();
                }
                else if (inError && reader.ValueTextEquals("description"u8) && reader.Read())
                {
                    description = reader.GetString();
                }
            }
        }

        // An error without err_code still is an error: code 0 keeps it apart from success.
        return new PublishAck(stored, inError ? errorCode ?? 0 : null, description);
    }
}
