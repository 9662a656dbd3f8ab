/**
 * ISO 4217 currency codes (the active list, with the precious metals and the IMF's SDR, XDR), plus CNH, the offshore
 * renminbi that dealers' systems and ISDA's SIMM documents use beside CNY. Used where a code is read without a market
 * file to check it against (a CRIF's qualifiers and AmountCurrency): a typo such as UDS would otherwise fall into
 * SIMM's "other currencies" group and change the margin silently. Withdrawn codes still seen on old trades (HRK) are
 * kept; the testing and no-currency codes (XTS, XXX) are not.
 */
const ISO_4217 =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE ' +
  'CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ ' +
  'GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL ' +
  'LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN ' +
  'PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD ' +
  'TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT ' +
  'XSU XUA YER ZAR ZMW ZWG ZWL CNH';

const CODES: ReadonlySet<string> = new Set(ISO_4217.split(' '));

/** True for an ISO 4217 code (upper case) or CNH. */
export function isCurrencyCode(code: string): boolean {
  return CODES.has(code);
}
