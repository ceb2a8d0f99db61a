CREATE TABLE conditions (
  id serial PRIMARY KEY,
  time timestamptz NOT NULL,
  device varchar(32) NOT NULL,
  temperature numeric(6,2) DEFAULT 20.5,
  humidity double precision CHECK (humidity >= 0),
  note text,
  UNIQUE (device, time)
);
CREATE INDEX conditions_time_idx ON conditions (time);
CREATE VIEW hot AS SELECT device, temperature FROM conditions WHERE temperature > 30;
CREATE TABLE devices (name text PRIMARY KEY, location varchar(64) DEFAULT 'lab', active boolean NOT NULL DEFAULT true, installed date);
