@tls @foundations
Feature: Transport security: TLS with mutual authentication
  A provider is reached only through the Spine Secure Proxy, over TLS 1.2 with mutual authentication:
  it authenticates the proxy by its client certificate before responding, permits only the approved
  cipher suites (AESGCM+EECDH, AESGCM+EDH, AES256+EECDH, AES256+EDH), never TLS 1.0, TLS 1.1, SSLv2 or
  SSLv3, accepts only encrypted connections, and employs HTTP Strict Transport Security.

  Each scenario opens its own connection to the provider's Foundations service root, directly (never
  through the proxy of target.ssp_url), asks for the CapabilityStatement, and records the protocol
  version, cipher suite and server certificate verdict in the evidence. A refusal is a failed handshake,
  a connection closed without an answer, or the status 495 or 496. The valid client certificate is
  tls.client_cert; the ones to refuse come from tls.test_certs_dir (as `gpc-assure certs DIR` writes
  them, issued by the CA the provider trusts); without them those scenarios are inconclusive. What the
  harness's TLS library cannot offer (SSLv2, SSLv3, TLS 1.0, TLS 1.1: requirement XC-TLS-07) is listed as
  not testable with this client, never as passed; a step offering one alone ends inconclusive.

  Specification:
  - GP Connect 1.2.7, Security guidance (Secure connection negotiation; Secure Socket Layer (SSL), and Transport Layer Security (TLS) protocols; Supported ciphers; Client certificates (TLSMA)): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_api_security_guidance.html

  @req:XC-TLS-02
  Scenario: A connection without a client certificate is refused
    When the provider is reached over TLS without a client certificate
    Then the provider refuses the connection

  @req:XC-TLS-04
  Scenario Outline: A client certificate that is <certificate> is refused
    When the provider is reached over TLS with the "<certificate>" client certificate
    Then the provider refuses the connection

    Examples:
      | certificate                   |
      | expired                       |
      | not yet valid                 |
      | from another authority        |
      | not for client authentication |

  @req:XC-TLS-04
  Scenario: The valid client certificate is accepted
    When the provider is reached over TLS with the "valid" client certificate
    Then the provider accepts the connection

  @req:XC-TLS-06
  Scenario: The provider's certificate is trusted for its host name
    When the provider is reached over TLS with the "valid" client certificate
    Then the provider's certificate is trusted for its host name

  @req:XC-TLS-01
  Scenario: TLS 1.2 or later is negotiated with an approved cipher suite
    When the provider is reached over TLS with the "valid" client certificate
    Then the connection uses TLS 1.2 or later with an approved cipher suite

  @req:XC-TLS-01
  Scenario: A handshake offering TLS 1.2 alone succeeds on an approved cipher suite
    When the provider is reached offering "TLS 1.2" alone
    Then the provider accepts the connection
    And the connection uses TLS 1.2 or later with an approved cipher suite

  @req:XC-TLS-01
  Scenario: A handshake offering only cipher suites outside the approved list is refused
    When the provider is reached over TLS offering only cipher suites outside the approved list
    Then the provider refuses the connection

  @req:XC-TLS-05
  Scenario: Answers over TLS carry Strict-Transport-Security
    When the provider is reached over TLS with the "valid" client certificate
    Then the answer carries Strict-Transport-Security

  @req:XC-TLS-03
  Scenario: Plain HTTP to the TLS port is refused
    When the provider is reached over plain HTTP on its TLS port
    Then the plain HTTP request is refused or redirected to https
