package dev.openminiapp.host;

import com.getcapacitor.BridgeActivity;

public class MainActivity extends BridgeActivity {}
