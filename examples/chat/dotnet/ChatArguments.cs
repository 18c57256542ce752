using System.Globalization;

namespace HubRx.Chat;

/// <summary>
/// The chat server's own command-line flags (the rest goes to ASP.NET Core's configuration, e.g. <c>--urls</c>):
/// <code>
/// --port N --host H                  listen on http://H:N (default 127.0.0.1:5000 unless --urls or ASPNETCORE_URLS;
///                                    --port 0: any free port)
/// --static [/prefix/=]dir            serve a folder's files at / or under a prefix (repeatable)
/// --token-lifetime S                 access tokens' lifetime in seconds (HUBRX_CHAT_TOKEN_LIFETIME; default 900)
/// --receipt-timeout-ms MS            SendDirect's read receipt timeout (HUBRX_CHAT_RECEIPT_TIMEOUT_MS; default 10000)
/// --exit-on-stdin-eof                exit when standard input closes (test harnesses)
/// </code>
/// The same flags as the mock server's CLI with <c>--preset chat</c>.
/// </summary>
public sealed class ChatArguments
{
    public List<string> Rest { get; } = [];
    public List<(string Prefix, string Directory)> Static { get; } = [];
    public int? Port { get; private set; }
    public string? Host { get; private set; }
    public int? TokenLifetimeSeconds { get; private set; }
    public int? ReceiptTimeoutMs { get; private set; }
    public bool ExitOnStdinEof { get; private set; }

    public const string Usage =
        "Usage: HubRx.ChatServer [--port <n>] [--host <h>] [--static [/prefix/=]<dir>]... [--token-lifetime <seconds>] [--receipt-timeout-ms <ms>] [--exit-on-stdin-eof] [ASP.NET Core options, e.g. --urls <urls>]";

    /// <summary>Parses the flags; throws an ArgumentException with a message for the user on a bad one.</summary>
    public static ChatArguments Parse(string[] args, Func<string, string?> environment)
    {
        var parsed = new ChatArguments();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Length) throw new ArgumentException($"{arg} needs a value.");
                return args[++i];
            }

            switch (arg)
            {
                case "--port":
                    var port = Value();
                    parsed.Port = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 65535
                        ? number
                        : throw new ArgumentException($"Invalid --port '{port}': expected 0 (any free port) to 65535.");
                    break;
                case "--host":
                    parsed.Host = Value();
                    break;
                case "--static":
                    parsed.Static.Add(Mount(Value()));
                    break;
                case "--token-lifetime":
                    parsed.TokenLifetimeSeconds = Positive(arg, Value());
                    break;
                case "--receipt-timeout-ms":
                    parsed.ReceiptTimeoutMs = Positive(arg, Value());
                    break;
                case "--exit-on-stdin-eof":
                    parsed.ExitOnStdinEof = true;
                    break;
                default:
                    parsed.Rest.Add(arg);
                    break;
            }
        }

        parsed.TokenLifetimeSeconds ??= FromEnvironment("HUBRX_CHAT_TOKEN_LIFETIME", environment);
        parsed.ReceiptTimeoutMs ??= FromEnvironment("HUBRX_CHAT_RECEIPT_TIMEOUT_MS", environment);
        return parsed;
    }

    private static int? FromEnvironment(string name, Func<string, string?> environment)
    {
        var value = environment(name);
        return string.IsNullOrEmpty(value) ? null : Positive(name, value);
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"Invalid {name} '{value}': expected a whole number greater than 0.");

    private static (string Prefix, string Directory) Mount(string value)
    {
        var eq = value.IndexOf('=');
        var (prefix, directory) = value.StartsWith('/') && eq > 0 ? (value[..eq], value[(eq + 1)..]) : ("/", value);
        if (directory.Length == 0) throw new ArgumentException($"Invalid --static '{value}': expected [/prefix/=]<dir>.");
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full)) throw new ArgumentException($"Invalid --static '{value}': {full} is not a folder.");
        return (prefix.TrimEnd('/'), full);
    }
}
