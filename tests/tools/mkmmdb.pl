#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# mkmmdb.pl - write a small MaxMind DB (GeoIP2-Country layout) for tests.
#
#   mkmmdb.pl OUT.mmdb CIDR=CC [CIDR=CC ...]
#
# Each network maps to {country => {iso_code => CC, names => {en => CC}}},
# the record collectors/geo.c reads.  Reserved networks (127.0.0.0/8,
# 10.0.0.0/8, ...) are allowed on purpose: the tests map the loopback
# address the STUN server reports to a foreign country.  Uses Debian's
# libmaxmind-db-writer-perl (MaxMind::DB::Writer::Tree).
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

die "usage: $0 OUT.mmdb CIDR=CC ...\n" if @ARGV < 2;
my $out = shift @ARGV;

my %types = (
	country  => 'map',
	iso_code => 'utf8_string',
	names    => 'map',
	en       => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version              => 6,
	record_size             => 24,
	database_type           => 'Farmhound-Test-Country',
	languages               => ['en'],
	description             => { en => 'farmhound test fixture, not real data' },
	map_key_type_callback   => sub { $types{ $_[0] } },
	remove_reserved_networks => 0,
	alias_ipv6_to_ipv4      => 1,
);

for my $arg (@ARGV) {
	my ($cidr, $cc) = split /=/, $arg, 2;
	die "bad mapping '$arg' (want CIDR=CC)\n"
		unless defined $cc && $cc =~ /^[A-Z]{2}$/;
	$tree->insert_network($cidr, { country => { iso_code => $cc, names => { en => $cc } } });
}

open my $fh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($fh);
close $fh or die "$out: $!\n";
