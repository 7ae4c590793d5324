// MAC and IPv4 addresses: numbers inside, strings at the edges; CIDR helpers.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  broadcastOf, formatCidr, formatIpv4, formatMac, isBroadcastMac, isLinkLocalGroupMac, isMulticastIpv4, isMulticastMac,
  isValidUnicastMac, macFromIpv4, networkOf, parseCidr, parseIpv4, parseMac, prefixContains, prefixMask,
  prefixSize, prefixesOverlap, tryParseIpv4,
} from '../src/wire';

describe('wire/mac-address', () => {
  it('parses and formats lowercase colon form', () => {
    expect(parseMac('02:42:AC:11:00:02')).to.equal(0x0242_ac11_0002);
    expect(parseMac('02-42-ac-11-00-02')).to.equal(0x0242_ac11_0002);
    expect(formatMac(0x0242_ac11_0002)).to.equal('02:42:ac:11:00:02');
    expect(formatMac(0xffff_ffff_ffff)).to.equal('ff:ff:ff:ff:ff:ff');
    expect(() => parseMac('02:42:ac:11:00')).to.throw('invalid MAC address');
  });

  it("derives Docker's classic container MAC from the IPv4 address", () => {
    expect(formatMac(macFromIpv4(parseIpv4('172.17.0.2')))).to.equal('02:42:ac:11:00:02');
    expect(formatMac(macFromIpv4(parseIpv4('10.0.0.255')))).to.equal('02:42:0a:00:00:ff');
  });

  it('classifies group, broadcast and link-local group addresses', () => {
    expect(isMulticastMac(parseMac('01:00:5e:00:00:01'))).to.equal(true);
    expect(isMulticastMac(parseMac('02:42:0a:00:00:02'))).to.equal(false);
    expect(isBroadcastMac(0xffff_ffff_ffff)).to.equal(true);
    expect(isValidUnicastMac(0)).to.equal(false);
    expect(isValidUnicastMac(parseMac('33:33:00:00:00:01'))).to.equal(false);
    expect(isValidUnicastMac(parseMac('02:42:0a:00:00:02'))).to.equal(true);
    expect(isLinkLocalGroupMac(parseMac('01:80:c2:00:00:00'))).to.equal(true);
    expect(isLinkLocalGroupMac(parseMac('01:80:c2:00:00:0f'))).to.equal(true);
    expect(isLinkLocalGroupMac(parseMac('01:80:c2:00:00:10'))).to.equal(false);
  });

  it('property: format then parse is the identity', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (mac) => {
      expect(parseMac(formatMac(mac))).to.equal(mac);
    }), { numRuns: 200 });
  });
});

describe('wire/ipv4-address', () => {
  it('parses and formats dotted quads, refusing anything else', () => {
    expect(parseIpv4('10.0.0.3')).to.equal(0x0a00_0003);
    expect(parseIpv4('255.255.255.255')).to.equal(0xffff_ffff);
    expect(formatIpv4(0xc0a8_320b)).to.equal('192.168.50.11');
    for (const bad of ['10.0.0', '10.0.0.256', '10.0.0.-1', '1.2.3.4.5', 'a.b.c.d', '']) {
      expect(() => parseIpv4(bad), bad).to.throw('invalid IPv4 address');
      expect(tryParseIpv4(bad)).to.equal(undefined);
    }
  });

  it('handles prefixes: masks, network, broadcast, containment, overlap', () => {
    const p = parseCidr('10.0.0.2/24');
    expect(formatCidr(p)).to.equal('10.0.0.2/24');
    expect(prefixMask(24)).to.equal(0xffff_ff00);
    expect(prefixMask(0)).to.equal(0);
    expect(prefixMask(32)).to.equal(0xffff_ffff);
    expect(formatIpv4(networkOf(p))).to.equal('10.0.0.0');
    expect(formatIpv4(broadcastOf(p))).to.equal('10.0.0.255');
    expect(prefixContains(p, parseIpv4('10.0.0.200'))).to.equal(true);
    expect(prefixContains(p, parseIpv4('10.0.1.2'))).to.equal(false);
    expect(prefixesOverlap(parseCidr('172.17.0.0/16'), parseCidr('172.17.5.0/24'))).to.equal(true);
    expect(prefixesOverlap(parseCidr('172.17.0.0/16'), parseCidr('172.18.0.0/16'))).to.equal(false);
    expect(prefixSize(parseCidr('10.9.0.0/30'))).to.equal(4);
    expect(parseCidr('10.0.0.1')).to.deep.equal({ addr: 0x0a00_0001, len: 32 });
    expect(() => parseCidr('10.0.0.0/33')).to.throw('invalid CIDR address');
    expect(isMulticastIpv4(parseIpv4('224.0.0.22'))).to.equal(true);
    expect(isMulticastIpv4(parseIpv4('10.0.0.1'))).to.equal(false);
  });

  it('property: format then parse is the identity', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (ip) => {
      expect(parseIpv4(formatIpv4(ip))).to.equal(ip);
    }), { numRuns: 200 });
  });
});
