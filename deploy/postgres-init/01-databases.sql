-- One database per service: each service owns its data and its migrations.
CREATE DATABASE budget;
CREATE DATABASE indicators;
CREATE DATABASE procurement;
