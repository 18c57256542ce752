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
/// The same flags as the mock server's CLI with <c>--preset chat</c>. Several instances (this server only; README.md):
/// <code>
/// --redis CONFIGURATION              the Redis backplane, presence and history in Redis (HUBRX_CHAT_REDIS), e.g. 127.0.0.1:6379
/// --redis-prefix P                   prefix of the Redis keys and channels (default hubrx-chat)
/// --instance NAME                    this instance's name (default random)
/// --instance-timeout-ms MS           an instance silent this long is forgotten (default 15000)
/// --rooms a,b,c                      the rooms (default general,random,dotnet)
/// --stateful-reconnect               allow stateful reconnect
/// --diagnostics                      GET /api/diagnostics (tests and benches)
/// --service-url URL                  Azure SignalR Service's flow: negotiate redirects there (key: HUBRX_CHAT_SERVICE_KEY)
/// </code>
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
    public string? Redis { get; private set; }
    public string? RedisPrefix { get; private set; }
    public string? Instance { get; private set; }
    public int? InstanceTimeoutMs { get; private set; }
    public string[]? Rooms { get; private set; }
    public bool StatefulReconnect { get; private set; }
    public bool Diagnostics { get; private set; }
    public string? ServiceUrl { get; private set; }
    public string? ServiceKey { get; private set; }

    public const string Usage =
        "Usage: HubRx.ChatServer [--port <n>] [--host <h>] [--static [/prefix/=]<dir>]... [--token-lifetime <seconds>] [--receipt-timeout-ms <ms>] [--exit-on-stdin-eof] [--redis <configuration>] [--redis-prefix <prefix>] [--instance <name>] [--instance-timeout-ms <ms>] [--rooms <a,b,c>] [--stateful-reconnect] [--diagnostics] [--service-url <url>] [ASP.NET Core options, e.g. --urls <urls>]";

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
                case "--redis":
                    parsed.Redis = Value();
                    break;
                case "--redis-prefix":
                    parsed.RedisPrefix = Value();
                    break;
                case "--instance":
                    parsed.Instance = Value();
                    break;
                case "--instance-timeout-ms":
                    parsed.InstanceTimeoutMs = Positive(arg, Value());
                    break;
                case "--rooms":
                    parsed.Rooms = Value().Split(',', StringSplitOptions.TrimEntries);
                    break;
                case "--stateful-reconnect":
                    parsed.StatefulReconnect = true;
                    break;
                case "--diagnostics":
                    parsed.Diagnostics = true;
                    break;
                case "--service-url":
                    parsed.ServiceUrl = Value();
                    break;
                default:
                    parsed.Rest.Add(arg);
                    break;
            }
        }

        parsed.TokenLifetimeSeconds ??= FromEnvironment("HUBRX_CHAT_TOKEN_LIFETIME", environment);
        parsed.ReceiptTimeoutMs ??= FromEnvironment("HUBRX_CHAT_RECEIPT_TIMEOUT_MS", environment);
        parsed.Redis ??= NonEmpty(environment("HUBRX_CHAT_REDIS"));
        parsed.ServiceKey = NonEmpty(environment("HUBRX_CHAT_SERVICE_KEY"));
        return parsed;
    }

    private static int? FromEnvironment(string name, Func<string, string?> environment)
    {
        var value = environment(name);
        return string.IsNullOrEmpty(value) ? null : Positive(name, value);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

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
